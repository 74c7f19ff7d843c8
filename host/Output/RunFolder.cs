using System.Globalization;
using System.Text;
using System.Text.Json;
using LoE.Core;
using LoE.Host.Config;
using LoE.Host.Data;

namespace LoE.Host.Output;

/// <summary>The files of one run in <c>OUT/EXPERIMENT/RUNID/</c>; each written atomically.</summary>
public sealed partial record RunFolder(string Path)
{
    public const string ConfigFile = "config.yaml";
    public const string MetricsFile = "metrics.csv";
    public const string FinalFile = "final.json";
    public const string FailedFile = "failed.json";

    public static RunFolder For(string outDir, RunPlan run) => new(System.IO.Path.Combine(outDir, run.Experiment, run.Id));

    public string CheckpointPath => File(CheckpointFile.FileName);

    /// <summary>TensorBoard event files (<c>tensorboard --logdir OUT</c> finds them).</summary>
    public string TensorBoardPath => File("tb");

    /// <summary>
    /// Where this run stands. Done needs final.json written for the same configuration hash (a folder reused by
    /// a different configuration, which the hash in the id makes unlikely, counts as new).
    /// </summary>
    public RunState State(string configHash)
    {
        var final = File(FinalFile);
        if (System.IO.File.Exists(final) && FinalHash(final) is var h && (h is null || h == configHash)) return RunState.Done;
        if (System.IO.File.Exists(File(FailedFile))) return RunState.Failed;
        if (System.IO.File.Exists(CheckpointPath)) return RunState.Partial;
        return RunState.New;
    }

    /// <summary>config.yaml: the <see cref="RunHeader"/> block, then the resolved configuration.</summary>
    public Task WriteConfigAsync(RunHeader header, ResolvedConfig config, BackendSpec backend)
    {
        var sb = new StringBuilder();
        sb.Append($"# loe run {header.Experiment}/{header.Id}\n");
        sb.Append($"# backend: {backend.Name} {backend.Device}, {(backend.Float64 ? "float64" : "float32")}, {backend.Threads} threads (not part of the run id)\n");
        sb.Append(header.ToYaml());
        sb.Append(config.ToYaml());
        return AtomicFile.WriteTextAsync(File(ConfigFile), sb.ToString());
    }

    public Task WriteMetricsAsync(IEnumerable<Progress> history)
    {
        // test_psnr_db: the held-out PSNR where one was measured (scene.eval_every), empty elsewhere.
        var sb = new StringBuilder("iteration,loss,psnr_db,lr,seconds,test_psnr_db\n");
        foreach (var p in history)
            sb.Append(Invariant($"{p.Iteration},{R(p.Loss)},{R(p.PsnrDb)},{R(p.LearningRate)},{R(p.Seconds)},{(double.IsFinite(p.TestPsnrDb) ? R(p.TestPsnrDb) : "")}\n"));
        return AtomicFile.WriteTextAsync(File(MetricsFile), sb.ToString());
    }

    /// <summary>final.json: the run's numbers; a GAN's Fréchet distance and KID with what they were measured on, and
    /// the real-against-real floor (real_floor_*: FD and KID between two halves of real images, images per half).</summary>
    public Task WriteFinalAsync(RunPlan run, FitResult result, Metrics.GanScores? gan = null) => WriteJsonAsync(FinalFile, json =>
    {
        json.WriteString("experiment", run.Experiment);
        json.WriteString("run", run.Id);
        json.WriteString("config_hash", run.Config.Hash);
        json.WriteNumber("seed", run.Seed);
        Number(json, "psnr_db", result.PsnrDb);
        Number(json, "ssim", result.Ssim);
        Number(json, "loss", result.FinalLoss);
        json.WriteNumber("iterations", result.Iterations);
        Number(json, "train_seconds", result.TrainSeconds);
        json.WriteNumber("parameters", result.ParameterCount);
        json.WriteNumber("parameter_bytes", result.ParameterBytes);
        json.WriteNumber("multiply_adds", result.MultiplyAdds);
        if (gan is null) return;
        json.WriteString("features", gan.Network);
        Number(json, "fd", gan.Fd);
        Number(json, "kid", gan.KidMean);
        Number(json, "kid_std", gan.KidStd);
        json.WriteNumber("real_images", gan.RealCount);
        json.WriteNumber("generated_images", gan.FakeCount);
        if (gan.Floor is not { } floor) return;
        Number(json, "real_floor_fd", floor.Fd);
        Number(json, "real_floor_kid", floor.KidMean);
        json.WriteNumber("real_floor_images", floor.RealCount);
    });

    /// <summary>failed.json: why the run stopped (e.g. the loss became NaN), so that summaries can show it.</summary>
    public Task WriteFailedAsync(RunPlan run, string message, int? iteration) => WriteJsonAsync(FailedFile, json =>
    {
        json.WriteString("experiment", run.Experiment);
        json.WriteString("run", run.Id);
        json.WriteString("config_hash", run.Config.Hash);
        json.WriteNumber("seed", run.Seed);
        json.WriteString("error", message);
        if (iteration is { } i) json.WriteNumber("iteration", i);
    });

    /// <summary>A failure from an earlier attempt no longer holds once the run is tried again.</summary>
    public void ClearFailed()
    {
        if (System.IO.File.Exists(File(FailedFile))) System.IO.File.Delete(File(FailedFile));
    }

    /// <summary>reconstruction.png (a video's first frame), and for a video every frame in reconstruction/.</summary>
    public async Task WriteReconstructionAsync(FitResult result)
    {
        await AtomicFile.WriteBytesAsync(File("reconstruction.png"), ImageFile.EncodePng(result.Reconstruction));
        if (result.Output.Size.Length > 2) await WriteFramesAsync(File("reconstruction"), result.Output);
    }

    /// <summary>
    /// A scene run's pictures: reconstruction.png (the first test view), test/view-NNN.png (every test view's render),
    /// comparison.png (up to eight test views, the truth above the render), and turntable/frame-NNNN.png with
    /// turntable.gif when a turntable was rendered.
    /// </summary>
    public async Task WriteSceneAsync(Core.Nerf.NerfResult result, Core.Nerf.Scene scene)
    {
        await AtomicFile.WriteBytesAsync(File("reconstruction.png"), ImageFile.EncodePng(result.Renders[0]));
        var test = File("test");
        Directory.CreateDirectory(test);
        for (var i = 0; i < result.Renders.Length; i++)
            await AtomicFile.WriteBytesAsync(System.IO.Path.Combine(test, $"view-{i:D3}.png"), ImageFile.EncodePng(result.Renders[i]));
        var shown = Math.Min(8, result.Renders.Length);
        var truth = scene.Test.Take(shown).Select(v => v.Image).ToArray();
        await AtomicFile.WriteBytesAsync(File("comparison.png"), ImageFile.EncodePng(Mosaic([truth, result.Renders[..shown]])));
        if (result.Extra.Length == 0) return;
        var frames = File("turntable");
        Directory.CreateDirectory(frames);
        for (var i = 0; i < result.Extra.Length; i++)
            await AtomicFile.WriteBytesAsync(System.IO.Path.Combine(frames, $"frame-{i:D4}.png"), ImageFile.EncodePng(result.Extra[i]));
        await AtomicFile.WriteBytesAsync(File("turntable.gif"), GifFile.Encode(result.Extra));
    }

    /// <summary>Rows of equally sized RGB images side by side, rows one above the other.</summary>
    public static Image Mosaic(IReadOnlyList<IReadOnlyList<Image>> rows)
    {
        var (w, h) = (rows[0][0].Width, rows[0][0].Height);
        var columns = rows.Max(r => r.Count);
        var pixels = new float[columns * w * rows.Count * h * 3];
        Array.Fill(pixels, 1f);
        for (var r = 0; r < rows.Count; r++)
        for (var c = 0; c < rows[r].Count; c++)
        for (var y = 0; y < h; y++)
            Array.Copy(rows[r][c].Pixels, y * w * 3, pixels, ((r * h + y) * columns * w + c * w) * 3, w * 3);
        return new Image(columns * w, rows.Count * h, 3, pixels);
    }

    /// <summary>Every frame of a signal as frame-0000.png, frame-0001.png, ... in <paramref name="folder"/>.</summary>
    public static async Task WriteFramesAsync(string folder, Signal signal)
    {
        Directory.CreateDirectory(folder);
        var frames = signal.Size.Skip(2).Aggregate(1, (a, b) => a * b);
        for (var f = 0; f < frames; f++)
            await AtomicFile.WriteBytesAsync(System.IO.Path.Combine(folder, $"frame-{f:D4}.png"), ImageFile.EncodePng(Fit.frameOf(signal, f)));
    }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    private Task WriteJsonAsync(string name, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }
        return AtomicFile.WriteBytesAsync(File(name), [.. buffer.ToArray(), (byte)'\n']);
    }

    private static string? FinalHash(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(System.IO.File.ReadAllBytes(path));
            return doc.RootElement.TryGetProperty("config_hash", out var h) ? h.GetString() : null;
        }
        catch (JsonException)
        {
            return "unreadable";
        }
    }

    // JSON has no NaN or infinity; a diverged run reports null.
    private static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value)) json.WriteNumber(name, value);
        else json.WriteNull(name);
    }

    private static string R(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
