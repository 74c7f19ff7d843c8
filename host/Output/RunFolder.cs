using System.Globalization;
using System.Text;
using System.Text.Json;
using LoE.Core;
using LoE.Host.Config;
using LoE.Host.Data;

namespace LoE.Host.Output;

/// <summary>The files of one run in <c>OUT/EXPERIMENT/RUNID/</c>; each written atomically.</summary>
public sealed record RunFolder(string Path)
{
    public static RunFolder For(string outDir, RunPlan run) => new(System.IO.Path.Combine(outDir, run.Experiment, run.Id));

    public Task WriteConfigAsync(RunPlan run, BackendSpec backend)
    {
        var header = $"# loe run {run.Experiment}/{run.Id}\n" +
                     $"# backend: {backend.Name} {backend.Device}, {(backend.Float64 ? "float64" : "float32")}, {backend.Threads} threads (not part of the run id)\n";
        return AtomicFile.WriteTextAsync(File("config.yaml"), header + run.Config.ToYaml());
    }

    public Task WriteMetricsAsync(IEnumerable<Progress> history)
    {
        var sb = new StringBuilder("iteration,loss,psnr_db,lr,seconds\n");
        foreach (var p in history)
            sb.Append(Invariant($"{p.Iteration},{R(p.Loss)},{R(p.PsnrDb)},{R(p.LearningRate)},{R(p.Seconds)}\n"));
        return AtomicFile.WriteTextAsync(File("metrics.csv"), sb.ToString());
    }

    public Task WriteFinalAsync(RunPlan run, FitResult result)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("experiment", run.Experiment);
            json.WriteString("run", run.Id);
            json.WriteNumber("seed", run.Seed);
            Number(json, "psnr_db", result.PsnrDb);
            Number(json, "loss", result.FinalLoss);
            json.WriteNumber("iterations", result.Iterations);
            Number(json, "train_seconds", result.TrainSeconds);
            json.WriteNumber("parameters", result.ParameterCount);
            json.WriteEndObject();
        }
        return AtomicFile.WriteBytesAsync(File("final.json"), [.. buffer.ToArray(), (byte)'\n']);
    }

    public Task WriteReconstructionAsync(Image image) =>
        AtomicFile.WriteBytesAsync(File("reconstruction.png"), ImageFile.EncodePng(image));

    private string File(string name) => System.IO.Path.Combine(Path, name);

    // JSON has no NaN or infinity; a diverged run reports null.
    private static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value)) json.WriteNumber(name, value);
        else json.WriteNull(name);
    }

    private static string R(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
