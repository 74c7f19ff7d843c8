using LoE.Core.Nerf;
using LoE.Host.Cli;
using LoE.Host.Data;

namespace LoE.Host.Tasks;

/// <summary>A radiance field trained on a posed multi-view scene (section D), measured on its held-out views.</summary>
public sealed class SceneTask : ITask
{
    public IReadOnlyList<string> SourceKeys { get; } = ["data.scene"];

    public (int Dims, string Name) Coordinates(DataConfig data) => (3, "scene");

    public PreparedRun Prepare(RunPlan run, DataCache cache)
    {
        const string key = "data.scene";
        var c = run.Config;
        // Everything the scene's views depend on; runs of one sweep share them.
        var scene = cache.Load(c, key, DataCache.KeyOf(c, "scene.views", "scene.hold_out", "scene.test_every", "scene.box"), () => SceneFile.Load(c));
        if (scene.Train.Length == 0 || scene.Test.Length == 0)
            throw new ConfigException(c.Find(key).Origin, key, $"the scene has {scene.Train.Length} training and {scene.Test.Length} test views; it needs both");
        return new PreparedScene(run, SceneSpecs.Nerf(c, scene), SceneSpecs.Training(c), scene, c.Scene.Turntable);
    }

    /// <summary>Logged rows averaged into a run's final train PSNR.</summary>
    public const int TrainRows = 5;

    /// <summary>A combination's final train PSNR: per finished run the mean batch PSNR of its last
    /// <see cref="TrainRows"/> logged rows, averaged over runs (one batch is noisy; the last few say where it ended).</summary>
    public static double TrainPsnr(Combination c) =>
        Summary.Mean(c.Done.Where(r => r.History.Count > 0).Select(r => r.History.TakeLast(TrainRows).Average(p => p.PsnrDb)));

    public Task<string> SummariseAsync(SummaryInput input) =>
        Summary.WritePsnrAsync(input, [new SummaryColumn("train PSNR (dB)", "train_psnr_db", TrainPsnr)],
            $" Train PSNR: the mean of the last {TrainRows} logged batch PSNRs of each run (the training rays of " +
            "those iterations, coarse and fine), then over seeds.");

    /// <summary>
    /// The test views (or a turntable of --orbit frames) drawn from the trained fine network at any size. The scene
    /// is loaded again for its cameras (a procedural one is made again), so its data must be there.
    /// </summary>
    public async Task<int> RenderAsync(RenderRequest r)
    {
        var (o, config) = (r.Options, r.Config);
        var recorded = r.Run.SignalSize ?? throw r.Older("signal_size");
        var checkpoint = RenderCommand.ReadCheckpoint(o.RunDir, r.Run, config, r.Output);
        if (o.Frames is not null) throw new ConfigException(Origin.CommandLine("--frames"), null, "the run trained a scene; use --orbit N for a turntable");
        if (o.Orbit is < 1) throw new ConfigException(Origin.CommandLine("--orbit"), null, $"must be at least 1, got {o.Orbit}");
        var size = RenderCommand.PlaneSize(o, recorded);
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
        var backend = RenderCommand.Backend(o);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var images = Training.renderWith(backend, SceneSpecs.Nerf(config, scene), SceneSpecs.Training(config), scene, checkpoint, cameras);
        var target = o.Out ?? Path.Combine(o.RunDir, $"render-{(o.Orbit is null ? "test" : "orbit")}-{size[0]}x{size[1]}");
        Directory.CreateDirectory(target);
        for (var i = 0; i < images.Length; i++)
            await AtomicFile.WriteBytesAsync(Path.Combine(target, $"frame-{i:D4}.png"), ImageFile.EncodePng(images[i]));
        if (o.Orbit is not null) await AtomicFile.WriteBytesAsync(Path.Combine(target, "turntable.gif"), GifFile.Encode(images));
        r.Output.WriteLine($"{target}: {images.Length} views at {size[0]}×{size[1]} rendered in {clock.Elapsed.TotalSeconds:0.0} s " +
                           $"from {checkpoint.Iteration} iterations");
        return 0;
    }
}

/// <summary>A radiance field to train on a scene, and how many turntable frames to draw after.</summary>
public sealed record PreparedScene(RunPlan Plan, NerfModel Model, NerfTrain Train, Scene Scene, int Turntable) : PreparedRun(Plan)
{
    public override (int[] Size, int Channels) Shape => ([Scene.Test[0].Image.Width, Scene.Test[0].Image.Height], 3);

    /// <summary>Trained, measured on the test views, and drawn from them and along a turntable.</summary>
    public override async Task<RunResult> TrainAsync(RunContext run)
    {
        var view = Scene.Test[0].Camera;
        var turntable = SceneModule.turntable(Scene, view.Width, view.Height, Turntable);
        var result = await Task.Run(() => Training.trainWith(run.Backend, Model, Train, Scene, run.Hooks, turntable), CancellationToken.None);
        await ScenePictures.WriteAsync(run.Folder, result, Scene);
        return new RunResult(new RunNumbers(result.PsnrDb, result.Ssim, Training.testLoss(result, Scene.Test), Train.Iterations,
            result.TrainSeconds, result.History, result.ParameterCount, 4L * result.ParameterCount, result.MultiplyAdds));
    }
}
