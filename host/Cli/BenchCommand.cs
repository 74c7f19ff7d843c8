using System.Globalization;
using LoE.Core;
using LoE.Host.Output;

namespace LoE.Host.Cli;

/// <summary>`loe bench`: the speed of the torch backend's LoE layers against the dense MLP of the same shape.</summary>
public static class BenchCommand
{
    // Coordinates per shape: default (CPU-friendly), --full (the paper's), --quick (CI).
    private static readonly Dictionary<string, (int Default, int Full, int Quick)> Coordinates = new()
    {
        // The toy's 512² is the paper's; its N-linear step needs more memory than 24 GiB here, so the CPU default is 256².
        ["toy"] = (256 * 256, 512 * 512, 32 * 32),
        ["image"] = (65536, 262144, 1024),
        ["video"] = (65536, 160000, 1024),
    };

    public static int Execute(BenchOptions o, TextWriter output)
    {
        TorchDevices.Require("torch", [o.Device], "--device");
        TorchSharp.torch.set_num_threads(o.Threads ?? Environment.ProcessorCount);
        var wanted = o.Shapes.ToHashSet();
        var unknown = wanted.Except(Coordinates.Keys).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"--shape: unknown shape '{unknown[0]}' (known: toy, image, video)");
        int CountFor(string shape) => o.Coordinates is { } n ? n : o.Quick ? Coordinates[shape].Quick : o.Full ? Coordinates[shape].Full : Coordinates[shape].Default;
        var steps = o.Steps ?? (o.Quick ? 2 : 5);
        var naive = o.Naive ?? true;

        var gflops = Bench.matmulGFlops(o.Device, o.Quick ? 256 : 2048);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"device {o.Device}, {TorchSharp.torch.get_num_threads()} threads; float32 {(o.Quick ? 256 : 2048)}³ matrix product: {gflops:0.0} GFLOP/s"));
        var rows = new List<Bench.Row>();
        foreach (var shape in Bench.shapes(CountFor).Where(s => wanted.Count == 0 || wanted.Contains(s.Name)))
        {
            output.WriteLine($"{shape.Name}: {shape.Coordinates} coordinates, {steps} timed steps per variant...");
            Bench.run(o.Device, shape, 1, steps, naive, r =>
            {
                rows.Add(r);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.Variant,-12} {r.MedianSeconds,8:0.000} s  ×{r.RatioToDense:0.00}"));
            });
        }
        var table = new TextTable(
            ["shape", "variant", "coordinates", "median step (s)", "× dense", "GFLOP/s", "peak RSS (MiB)"],
            rows.Select(r => (IReadOnlyList<string>)[
                r.Shape, r.Variant, r.Coordinates.ToString(CultureInfo.InvariantCulture),
                r.MedianSeconds.ToString("0.000", CultureInfo.InvariantCulture), r.RatioToDense.ToString("0.00", CultureInfo.InvariantCulture),
                r.GFlops.ToString("0.0", CultureInfo.InvariantCulture), r.PeakMiB.ToString("0", CultureInfo.InvariantCulture)]).ToList());
        output.WriteLine();
        output.Write(table.ToMarkdown());
        if (o.Out is { } path) AtomicFile.WriteTextAsync(path, table.ToMarkdown()).GetAwaiter().GetResult();
        return 0;
    }
}
