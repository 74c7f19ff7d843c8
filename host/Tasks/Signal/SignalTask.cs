using System.Globalization;
using LoE.Host.Cli;
using LoE.Host.Data;

namespace LoE.Host.Tasks;

/// <summary>Fitting an image or a video (sections A–C): coordinates in, colours out, the MSE to the signal.</summary>
public sealed class SignalTask : ITask
{
    public IReadOnlyList<string> SourceKeys { get; } = ["data.image", "data.video"];

    public (int Dims, string Name) Coordinates(DataConfig data) => data.IsVideo ? (3, "video") : (2, "image");

    public PreparedRun Prepare(RunPlan run, DataCache cache)
    {
        var (c, data) = (run.Config, run.Config.Data);
        var key = data.SourceKey;
        var source = data.IsVideo ? data.Video! : data.ImagePath(c.BaseDirectory);
        var signal = cache.Load(c, key, $"{key}:{source}@{(data.Size is { } s ? $"{s[0]}x{s[1]}" : "")}/{data.Frames}", () =>
            data.IsVideo ? VideoFile.Load(source, c.BaseDirectory, data.Size, data.Frames)
            : File.Exists(source) ? Fit.ofImage(ImageFile.Load(source, data.Size))
            : throw new FileNotFoundException($"image file not found: {source}"));
        return new PreparedSignal(run, SignalSpecs.Model(c, signal.Size), SignalSpecs.Train(c), signal);
    }

    public Task<string> SummariseAsync(SummaryInput input) => Summary.WritePsnrAsync(input, []);

    /// <summary>The model rebuilt from config.yaml (Table 6's layouts from the recorded signal size) and evaluated at
    /// the sample centres of any grid: a continuous representation drawn at any resolution.</summary>
    public async Task<int> RenderAsync(RenderRequest r)
    {
        var (o, config, run) = (r.Options, r.Config, r.Run);
        var signalSize = run.SignalSize ?? throw r.Older("signal_size");
        var channels = run.Channels ?? throw r.Older("channels");
        var model = SignalSpecs.Model(config, signalSize);
        var checkpoint = RenderCommand.ReadCheckpoint(o.RunDir, run, config, r.Output);
        var size = RenderCommand.PlaneSize(o, signalSize);
        if (o.Frames is { } f)
        {
            if (size.Length < 3) throw new ConfigException(Origin.CommandLine("--frames"), null, "the run fitted an image, not a video");
            size[2] = f;
        }
        if (size.Any(d => d < 1)) throw new ConfigException(Origin.CommandLine("--size"), null, "sizes must be at least 1");

        var backend = RenderCommand.Backend(o);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var signal = Fit.renderWith(backend, model, checkpoint, size, channels);
        var name = string.Join("x", size.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        var target = o.Out ?? Path.Combine(o.RunDir, size.Length > 2 ? $"render-{name}" : $"render-{name}.png");
        if (size.Length > 2) await RunFolder.WriteFramesAsync(target, signal);
        else await AtomicFile.WriteBytesAsync(target, ImageFile.EncodePng(Fit.frameOf(signal, 0)));
        r.Output.WriteLine($"{target}: {name} rendered in {clock.Elapsed.TotalSeconds:0.0} s from {checkpoint.Iteration} iterations " +
                           $"({checkpoint.Parameters.Sum(p => (long)p.Length)} parameters)");
        return 0;
    }
}

/// <summary>An image or a video to fit, with the model and the training that fit it.</summary>
public sealed record PreparedSignal(RunPlan Plan, ModelSpec Model, TrainSpec Train, Signal Data) : PreparedRun(Plan)
{
    public override (int[] Size, int Channels) Shape => (Data.Size, Data.Channels);

    public override async Task<RunResult> TrainAsync(RunContext run)
    {
        var result = await Task.Run(() => Fit.runSignalWith(run.Backend, Model, Train, Data, run.Hooks), CancellationToken.None);
        await run.Folder.WriteReconstructionAsync(result);
        return new RunResult(RunNumbers.Of(result));
    }
}
