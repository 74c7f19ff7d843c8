using System.Globalization;
using LoE.Core;
using LoE.Core.Nerf;
using LoE.Host.Config;
using LoE.Host.Data;
using LoE.Host.Output;
using LoE.Host.Running;
using YamlDotNet.RepresentationModel;

namespace LoE.Host.Cli;

/// <summary>
/// <c>loe render RUN_DIR</c>: the model rebuilt from config.yaml (Table 6's layouts from the recorded signal size),
/// the trained parameters from checkpoint.bin, evaluated at the sample centres of any grid: a continuous
/// representation drawn at any resolution.
/// </summary>
public static class RenderCommand
{
    public static async Task<int> ExecuteAsync(RenderOptions o, TextWriter output)
    {
        var configPath = Path.Combine(o.RunDir, RunFolder.ConfigFile);
        if (!File.Exists(configPath))
            throw new ConfigException(Origin.CommandLine(o.RunDir), null, $"no {RunFolder.ConfigFile} here: not a run folder");
        var (config, run) = ReadConfig(configPath);
        ConfigException Older(string key) => new(Origin.CommandLine(configPath), $"run.{key}", $"config.yaml has no run.{key} (written by an older loe?)");
        var signalSize = run.SignalSize ?? throw Older("signal_size");
        if (config.Data.IsScene) return await RenderSceneAsync(o, config, ReadCheckpoint(o.RunDir, run, config, output), signalSize, output);
        var channels = run.Channels ?? throw Older("channels");

        var model = SpecBuilder.Model(config, signalSize);
        var checkpoint = ReadCheckpoint(o.RunDir, run, config, output);
        var size = PlaneSize(o, signalSize);
        if (o.Frames is { } f)
        {
            if (size.Length < 3) throw new ConfigException(Origin.CommandLine("--frames"), null, "the run fitted an image, not a video");
            size[2] = f;
        }
        if (size.Any(d => d < 1)) throw new ConfigException(Origin.CommandLine("--size"), null, "sizes must be at least 1");

        TorchDevices.Require(o.Backend, [o.Device], "--device");
        var backend = new BackendSpec(o.Backend, o.Device, false, Environment.ProcessorCount);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var signal = Fit.renderWith(backend, model, checkpoint, size, channels);
        var name = string.Join("x", size.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        var target = o.Out ?? Path.Combine(o.RunDir, size.Length > 2 ? $"render-{name}" : $"render-{name}.png");
        if (size.Length > 2) await RunFolder.WriteFramesAsync(target, signal);
        else await AtomicFile.WriteBytesAsync(target, ImageFile.EncodePng(Fit.frameOf(signal, 0)));
        output.WriteLine($"{target}: {name} rendered in {clock.Elapsed.TotalSeconds:0.0} s from {checkpoint.Iteration} iterations " +
                         $"({checkpoint.Parameters.Sum(p => (long)p.Length)} parameters)");
        return 0;
    }

    internal static Checkpoint ReadCheckpoint(string runDir, RunHeader run, ResolvedConfig config, TextWriter output)
    {
        var checkpointPath = Path.Combine(runDir, CheckpointFile.FileName);
        if (!File.Exists(checkpointPath))
            throw new ConfigException(Origin.CommandLine(runDir), null,
                $"no {CheckpointFile.FileName}: the run wrote none (train.checkpoint_every: 0) or has not started");
        Checkpoint checkpoint;
        try
        {
            checkpoint = CheckpointFile.Read(checkpointPath, run.Hash);
        }
        catch (InvalidDataException e)
        {
            throw new ConfigException(Origin.CommandLine(checkpointPath), null, e.Message, e);
        }
        var iterations = config.Train.Iterations;
        if (checkpoint.Iteration < iterations)
            output.WriteLine($"note: the checkpoint is from iteration {checkpoint.Iteration} of {iterations} (the run is not finished)");
        return checkpoint;
    }

    /// <summary>The recorded size with --size or --scale applied to width and height.</summary>
    private static int[] PlaneSize(RenderOptions o, int[] recorded)
    {
        var size = (int[])recorded.Clone();
        if (o.Size.ToArray() is [var w, var h]) (size[0], size[1]) = (w, h);
        else if (o.Scale is { } s)
        {
            if (!(s > 0)) throw new ConfigException(Origin.CommandLine("--scale"), null, $"must be positive, got {s}");
            (size[0], size[1]) = ((int)Math.Round(size[0] * s), (int)Math.Round(size[1] * s));
        }
        return size;
    }

    /// <summary>
    /// A scene: the test views (or a turntable of --orbit frames) drawn from the trained fine network at any size.
    /// The scene is loaded again for its cameras (a procedural one is made again), so its data must be there.
    /// </summary>
    private static async Task<int> RenderSceneAsync(RenderOptions o, ResolvedConfig config, Checkpoint checkpoint, int[] recorded, TextWriter output)
    {
        if (o.Frames is not null) throw new ConfigException(Origin.CommandLine("--frames"), null, "the run trained a scene; use --orbit N for a turntable");
        if (o.Orbit is < 1) throw new ConfigException(Origin.CommandLine("--orbit"), null, $"must be at least 1, got {o.Orbit}");
        var size = PlaneSize(o, recorded);
        if (size.Any(d => d < 1)) throw new ConfigException(Origin.CommandLine("--size"), null, "sizes must be at least 1");
        Scene scene;
        try
        {
            scene = SceneFile.Load(config);
        }
        catch (Exception e) when (e is SceneDataException or InvalidDataException or IOException)
        {
            throw new ConfigException(config.Find("data.scene").Origin, "data.scene", $"{e.Message} (the scene's cameras are needed to render)", e);
        }
        var cameras = o.Orbit is { } n
            ? SceneModule.turntable(scene, size[0], size[1], n)
            : scene.Test.Select(v => CameraModule.resized(v.Camera, size[0], size[1])).ToArray();
        TorchDevices.Require(o.Backend, [o.Device], "--device");
        var backend = new BackendSpec(o.Backend, o.Device, false, Environment.ProcessorCount);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var images = Training.renderWith(backend, SpecBuilder.Nerf(config, scene), SpecBuilder.NerfTraining(config), scene, checkpoint, cameras);
        var target = o.Out ?? Path.Combine(o.RunDir, $"render-{(o.Orbit is null ? "test" : "orbit")}-{size[0]}x{size[1]}");
        Directory.CreateDirectory(target);
        for (var i = 0; i < images.Length; i++)
            await AtomicFile.WriteBytesAsync(Path.Combine(target, $"frame-{i:D4}.png"), ImageFile.EncodePng(images[i]));
        if (o.Orbit is not null) await AtomicFile.WriteBytesAsync(Path.Combine(target, "turntable.gif"), GifFile.Encode(images));
        output.WriteLine($"{target}: {images.Length} views at {size[0]}×{size[1]} rendered in {clock.Elapsed.TotalSeconds:0.0} s " +
                         $"from {checkpoint.Iteration} iterations");
        return 0;
    }

    /// <summary>config.yaml's configuration resolved again (its run block gives the seed and the folder paths are relative to).</summary>
    internal static (ResolvedConfig Config, RunHeader Run) ReadConfig(string path)
    {
        if (RunHeader.Read(path) is not var (run, written))
            throw new ConfigException(Origin.CommandLine(path), null, "not a run's config.yaml (no run: block)");
        var raw = new OrderedDictionary<string, ConfigValue>(written);
        raw.Remove(Schema.SeedKey);
        // The data is not needed to render; only its recorded size is. Missing data must not stop a render.
        raw.TryAdd("data.obtain", new ConfigValue(new YamlScalarNode("not needed to render"), Origin.CommandLine(path)));
        var baseDirectory = run.BaseDirectory ?? Path.GetDirectoryName(Path.GetFullPath(path))!;
        return (Schema.Resolve(raw, run.Seed, baseDirectory, Origin.CommandLine(path)), run);
    }
}
