using LoE.Core.Gan;
using LoE.Host.Cli;
using LoE.Host.Data;

namespace LoE.Host.Tasks;

/// <summary>
/// <c>loe sample RUN_DIR --count N</c>: the generator rebuilt from config.yaml, its trained parameters from
/// checkpoint.bin, N images drawn from the latents of --seed (one PNG each, and a grid), and optionally an
/// interpolation strip. The training images are not needed.
/// </summary>
public static class SampleCommand
{
    private const int Chunk = 256;

    public static async Task<int> ExecuteAsync(SampleOptions o, TextWriter output)
    {
        var (config, run, configPath) = RenderCommand.ReadConfig(o.RunDir);
        if (!config.Data.IsGan)
            throw new ConfigException(Origin.CommandLine(o.RunDir), null, "this run fitted a signal or a scene, not a GAN (data.images); use `loe render`");
        if (o.Count < 1) throw new ConfigException(Origin.CommandLine("--count"), null, $"must be at least 1, got {o.Count}");
        if (o.Interpolate is < 2) throw new ConfigException(Origin.CommandLine("--interpolate"), null, $"needs at least 2 images, got {o.Interpolate}");
        var channels = run.Channels ?? throw new ConfigException(Origin.CommandLine(configPath), "run.channels", "config.yaml has no run.channels (written by an older loe?)");
        var checkpoint = RenderCommand.ReadCheckpoint(o.RunDir, run, config, output);

        var backend = RenderCommand.Backend(o);
        var generator = GanSpecs.Generator(config, channels);
        var side = config.Data.Side;
        var target = o.Out ?? Path.Combine(o.RunDir, $"samples-seed{o.Seed}");
        Directory.CreateDirectory(target);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Chunks of latents come from consecutive seeds, so --count 10 gives the first 10 images of --count 1000.
        var images = new List<Image>();
        for (var (start, chunk) = (0, 0); start < o.Count; start += Chunk, chunk++)
            images.AddRange(Training.samplesWith(backend, generator, checkpoint.Names, checkpoint.Shapes, checkpoint.Parameters,
                side, Math.Min(Chunk, o.Count - start), o.Seed * 100_003 + chunk));
        for (var i = 0; i < images.Count; i++)
            await AtomicFile.WriteBytesAsync(Path.Combine(target, $"sample-{i:D6}.png"), ImageFile.EncodePng(images[i]));
        await AtomicFile.WriteBytesAsync(Path.Combine(target, "grid.png"), ImageFile.EncodePng(GanPictures.Enlarged(Training.grid(8, [.. images.Take(256)]))));
        if (o.Interpolate is { } steps)
        {
            var strip = Training.interpolationWith(backend, generator, checkpoint.Names, checkpoint.Shapes, checkpoint.Parameters, side, steps, o.Seed, o.Seed + 1);
            await AtomicFile.WriteBytesAsync(Path.Combine(target, "interpolation.png"), ImageFile.EncodePng(GanPictures.Enlarged(Training.grid(steps, strip))));
        }
        output.WriteLine($"{target}: {images.Count} images of {side}×{side} drawn in {clock.Elapsed.TotalSeconds:0.0} s from {checkpoint.Iteration} iterations" +
                         (o.Interpolate is { } n ? $", and an interpolation of {n}" : ""));
        return 0;
    }
}
