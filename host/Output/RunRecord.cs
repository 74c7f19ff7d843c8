using System.Globalization;
using System.Text.Json;

namespace LoE.Host.Output;

/// <summary>
/// One run as read back from its folder alone (config.yaml, metrics.csv, final.json or failed.json): what
/// <c>loe report</c> summarises, so that summaries cover every run ever written to the folder, whichever
/// invocation (or Slurm array task) wrote it.
/// </summary>
public sealed record RunRecord(
    RunHeader Run,
    IReadOnlyDictionary<string, string> Config,
    RunState State,
    RunFinal? Final,
    string? Error,
    IReadOnlyList<Progress> History)
{
    /// <summary>The run in <paramref name="folder"/>, or null when the folder holds no config.yaml with a run block.</summary>
    public static RunRecord? Load(string folder)
    {
        var configPath = Path.Combine(folder, RunFolder.ConfigFile);
        if (!File.Exists(configPath) || RunHeader.Read(configPath) is not var (run, written)) return null;
        var config = written.ToDictionary(e => e.Key, e => RunHeader.Plain(e.Value.Node));
        var folderState = new RunFolder(folder).State(run.Hash);
        var final = folderState == RunState.Done ? RunFinal.Read(Path.Combine(folder, RunFolder.FinalFile)) : null;
        var error = folderState == RunState.Failed ? ReadError(Path.Combine(folder, RunFolder.FailedFile)) : null;
        return new RunRecord(run, config, folderState, final, error, ReadMetrics(Path.Combine(folder, RunFolder.MetricsFile)));
    }

    /// <summary>Every run folder directly under <paramref name="experimentFolder"/>, in name order.</summary>
    public static IReadOnlyList<RunRecord> LoadAll(string experimentFolder) =>
        Directory.Exists(experimentFolder)
            ? Directory.GetDirectories(experimentFolder).Order(StringComparer.Ordinal).Select(Load).OfType<RunRecord>().ToList()
            : [];

    private static string ReadError(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            return doc.RootElement.TryGetProperty("error", out var e) ? e.GetString() ?? "failed" : "failed";
        }
        catch (JsonException)
        {
            return "failed (failed.json unreadable)";
        }
    }

    /// <summary>metrics.csv rows; a missing or partly written file gives what can be read. An empty or absent
    /// test_psnr_db (files written before it) reads as NaN.</summary>
    public static IReadOnlyList<Progress> ReadMetrics(string path)
    {
        if (!File.Exists(path)) return [];
        var rows = new List<Progress>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = line.Split(',');
            if (f.Length < 5) continue;
            static double D(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
            var test = f.Length > 5 && f[5].Length > 0 ? D(f[5]) : double.NaN;
            rows.Add(new Progress(int.Parse(f[0], CultureInfo.InvariantCulture), D(f[1]), D(f[2]), D(f[3]), D(f[4]), test));
        }
        return rows;
    }
}

/// <summary>The numbers of final.json (a GAN's: FD and KID on <see cref="Features"/> instead of PSNR and SSIM).</summary>
public sealed record RunFinal(double PsnrDb, int Iterations, double TrainSeconds, long Parameters, double Ssim = double.NaN, long ParameterBytes = 0, long MultiplyAdds = 0)
{
    public string? Features { get; init; }
    public double Fd { get; init; } = double.NaN;
    public double Kid { get; init; } = double.NaN;
    public double KidStd { get; init; } = double.NaN;
    public long RealImages { get; init; }
    public long GeneratedImages { get; init; }
    /// <summary>Real against real: FD and KID between two halves of real images, and the images in each half (0: none).</summary>
    public double FloorFd { get; init; } = double.NaN;
    public double FloorKid { get; init; } = double.NaN;
    public long FloorImages { get; init; }
    /// <summary>Every number of final.json by name (what a task adds: an audio run's si_snr_db).</summary>
    public IReadOnlyDictionary<string, double> Numbers { get; init; } = new Dictionary<string, double>();

    /// <summary>final.json's number <paramref name="name"/>, NaN when absent or null.</summary>
    public double Number(string name) => Numbers.TryGetValue(name, out var x) ? x : double.NaN;

    public static RunFinal? Read(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var r = doc.RootElement;
            double D(string name) => r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
            long L(string name) => r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;
            return new RunFinal(D("psnr_db"), (int)D("iterations"), D("train_seconds"), L("parameters"), D("ssim"), L("parameter_bytes"), L("multiply_adds"))
            {
                Features = r.TryGetProperty("features", out var f) ? f.GetString() : null,
                Fd = D("fd"), Kid = D("kid"), KidStd = D("kid_std"), RealImages = L("real_images"), GeneratedImages = L("generated_images"),
                FloorFd = D("real_floor_fd"), FloorKid = D("real_floor_kid"), FloorImages = L("real_floor_images"),
                Numbers = r.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number).ToDictionary(p => p.Name, p => p.Value.GetDouble()),
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
