using System.Globalization;

namespace LoE.Host.Cli;

/// <summary>`loe bench`: the speed of the torch backend's LoE layers against the dense MLP of the same shape.</summary>
public static class BenchCommand
{
    // Coordinates per shape: default (CPU-friendly), --full (the paper's), --quick (CI).
    private static readonly Dictionary<string, (int Default, int Full, int Quick)> Coordinates = new()
    {
        // The toy's 512² is the paper's; the CPU default is 256². Video at the paper's batch by default: at small
        // batches its 64-expert tiles make Adam's memory traffic, not the layers, the cost.
        ["toy"] = (256 * 256, 512 * 512, 32 * 32),
        ["image"] = (16384, 262144, 1024),
        ["video"] = (160000, 160000, 1024),
    };

    // The target ratio to dense (issue 10): nearest 1.15, N-linear 1.15 · 2^d, met or by how much it is missed.
    private static string Goal(Bench.Row r)
    {
        var dims = r.Shape == "video" ? 3 : 2;
        double? goal = r.Variant switch { "loe-nearest" => 1.15, "loe-nlinear" => 1.15 * (1 << dims), _ => null };
        if (goal is not { } g) return "";
        return r.RatioToDense <= g
            ? string.Create(CultureInfo.InvariantCulture, $"≤ {g:0.00} met")
            : string.Create(CultureInfo.InvariantCulture, $"≤ {g:0.00}: {r.RatioToDense / g - 1:P0} over");
    }

    // Resident memory at the start, halfway and the end of the memory run, and whether it kept growing.
    private static string Rss(Bench.Row r) =>
        string.Create(CultureInfo.InvariantCulture, $"{r.RssStartMiB:0} → {r.RssMidMiB:0} → {r.RssEndMiB:0}");

    private static string Flat(Bench.Row r) =>
        Bench.grows(r)
            ? string.Create(CultureInfo.InvariantCulture, $"GROWING: +{r.RssEndMiB - r.RssMidMiB:0} MiB in the second half")
            : "flat";

    public static int Execute(BenchOptions o, TextWriter output, CancellationToken cancel = default)
    {
        TorchDevices.Require("torch", [o.Device], "--device");
        var backend = new BackendSpec("torch", o.Device, false, o.Threads ?? Environment.ProcessorCount);
        Backends.setThreads(backend);
        var wanted = o.Shapes.ToHashSet();
        var unknown = wanted.Except(Coordinates.Keys).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"--shape: unknown shape '{unknown[0]}' (known: toy, image, video)");
        int CountFor(string shape) => o.Coordinates is { } n ? n : o.Quick ? Coordinates[shape].Quick : o.Full ? Coordinates[shape].Full : Coordinates[shape].Default;
        var steps = o.Steps ?? (o.Quick ? 2 : 5);
        var naive = o.Naive ?? true;

        var gflops = Bench.matmulGFlops(o.Device, o.Quick ? 256 : 2048);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"device {o.Device}, {Backends.threads(backend)} threads; float32 {(o.Quick ? 256 : 2048)}³ matrix product: {gflops:0.0} GFLOP/s"));
        // Timings depend on it (README, Performance): say whether freed native memory stays in the process.
        output.WriteLine(NativeHeap.keepFreedMemory()
            ? "native heap: freed memory kept in the process (glibc: no mmap, no trimming)"
            : "native heap: the C library's own settings (MALLOC_* or LD_PRELOAD set, or not glibc)");
        var rows = new List<Bench.Row>();
        foreach (var shape in Bench.shapes(CountFor).Where(s => wanted.Count == 0 || wanted.Contains(s.Name)))
        {
            output.WriteLine($"{shape.Name}: {shape.Coordinates} coordinates, {steps} timed steps per variant...");
            Bench.run(o.Device, shape, 1, steps, naive, o.Random, o.MemorySteps, cancel, r =>
            {
                rows.Add(r);
                var memory = o.MemorySteps > 0 ? $"  RSS {Rss(r)} MiB over {o.MemorySteps} steps, {Flat(r)}" : "";
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {r.Variant,-12} {r.MedianSeconds,8:0.000} s  ×{r.RatioToDense:0.00}  Adam {r.AdamShare:P0}{memory}"));
            });
        }
        var table = new TextTable(
            ["shape", "variant", "coordinates", "median step (s)", "× dense", "goal", "Adam share", "GFLOP/s", "peak RSS, all variants (MiB)", "RSS start → half → end (MiB)"],
            rows.Select(r => (IReadOnlyList<string>)[
                r.Shape, r.Variant, r.Coordinates.ToString(CultureInfo.InvariantCulture),
                r.MedianSeconds.ToString("0.000", CultureInfo.InvariantCulture), r.RatioToDense.ToString("0.00", CultureInfo.InvariantCulture),
                Goal(r), r.AdamShare.ToString("P0", CultureInfo.InvariantCulture),
                r.GFlops.ToString("0.0", CultureInfo.InvariantCulture), r.PeakMiB.ToString("0", CultureInfo.InvariantCulture),
                double.IsNaN(r.RssStartMiB) ? "" : $"{Rss(r)} ({Flat(r)})"]).ToList());
        output.WriteLine();
        output.Write(table.ToMarkdown());
        output.WriteLine(o.Random ? "Points drawn and routed every step (random batches)." : "Fixed points, routed once (full-signal training).");
        if (o.Out is { } path) AtomicFile.WriteTextAsync(path, table.ToMarkdown()).GetAwaiter().GetResult();
        return 0;
    }
}
