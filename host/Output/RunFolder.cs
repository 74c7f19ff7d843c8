using System.Globalization;
using System.Text;
using System.Text.Json;
using LoE.Host.Data;

namespace LoE.Host.Output;

/// <summary>The files of one run in <c>OUT/EXPERIMENT/RUNID/</c>; each written atomically.</summary>
public sealed record RunFolder(string Path)
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
        sb.Append($"# machine: {Machine.Description} (not part of the run id; the last digits of CPU results follow it)\n");
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

    /// <summary>final.json: the run's numbers, then what its task adds (a GAN's scores).</summary>
    public Task WriteFinalAsync(RunPlan run, Tasks.RunNumbers result, Action<Utf8JsonWriter>? extra = null) => WriteJsonAsync(FinalFile, run, json =>
    {
        Number(json, "psnr_db", result.PsnrDb);
        Number(json, "ssim", result.Ssim);
        Number(json, "loss", result.FinalLoss);
        json.WriteNumber("iterations", result.Iterations);
        Number(json, "train_seconds", result.TrainSeconds);
        json.WriteNumber("parameters", result.Parameters);
        json.WriteNumber("parameter_bytes", result.ParameterBytes);
        json.WriteNumber("multiply_adds", result.MultiplyAdds);
        extra?.Invoke(json);
    });

    /// <summary>failed.json: why the run stopped (e.g. the loss became NaN), so that summaries can show it.</summary>
    public Task WriteFailedAsync(RunPlan run, string message, int? iteration) => WriteJsonAsync(FailedFile, run, json =>
    {
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

    /// <summary>Every frame of a signal as frame-0000.png, frame-0001.png, ... in <paramref name="folder"/>.</summary>
    public static async Task WriteFramesAsync(string folder, Signal signal)
    {
        Directory.CreateDirectory(folder);
        var frames = signal.Size.Skip(2).Aggregate(1, (a, b) => a * b);
        for (var f = 0; f < frames; f++)
            await AtomicFile.WriteBytesAsync(System.IO.Path.Combine(folder, $"frame-{f:D4}.png"), ImageFile.EncodePng(Fit.frameOf(signal, f)));
    }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>A JSON object that names the run first (final.json, failed.json), then what <paramref name="body"/> writes.</summary>
    private Task WriteJsonAsync(string name, RunPlan run, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("experiment", run.Experiment);
            json.WriteString("run", run.Id);
            json.WriteString("config_hash", run.Config.Hash);
            json.WriteNumber("seed", run.Seed);
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
    public static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value)) json.WriteNumber(name, value);
        else json.WriteNull(name);
    }

    private static string R(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
