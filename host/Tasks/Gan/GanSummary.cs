using System.Globalization;
using static LoE.Host.Output.Summary;

namespace LoE.Host.Tasks;

/// <summary>
/// A GAN experiment's summary (like Table 11): the Fréchet distance and KID per row, on the features they were
/// measured with and with the sample counts (FD depends on them), beside the paper's FID.
/// </summary>
public static class GanSummary
{
    public static async Task<string> WriteAsync(SummaryInput input)
    {
        var (folder, name, runs, keys, combinations) = input;
        var features = runs.Select(r => r.Final?.Features).FirstOrDefault(f => f is not null) ?? "ResNet-18";
        await AtomicFile.WriteTextAsync(Path.Combine(folder, "summary.csv"), CsvTable(keys, combinations).ToCsv());
        var table = MarkdownTable(keys, combinations, features, Floors(runs)).ToMarkdown();
        var fid = features.StartsWith("Inception", StringComparison.Ordinal);
        var md = $"# {name}\n\n" +
                 (runs.Select(r => r.Run.Description).FirstOrDefault(d => d is not null) is { } d ? d + "\n\n" : "") +
                 $"FD: the Fréchet distance between {features} features of generated and real images" +
                 (fid ? " (FID proper: pytorch-fid's Inception-v3 weights)" : " (not FID: FID is defined on Inception-v3 features, which are not shipped here; do not compare FD with the paper's FID)") +
                 "; KID: the unbiased MMD² with the cubic kernel, mean over 100 subsets of up to 1000 images. Both depend on the " +
                 "number of images (the paper used 50k). Mean ± standard deviation over seeds. Parameters and multiply-adds per " +
                 "pixel are the generator's. Samples: samples.png and samples/ in each run folder." +
                 (Floors(runs).Count > 0
                     ? " Real vs real (floor): FD and KID between two disjoint halves of the real images, the first and the second " +
                       $"half of those a seed-{GanRunner.FloorSeed} run scores against (images per half in its images column): what the scores read for two " +
                       "samples of one distribution, at half the real images of a row."
                     : "") + "\n\n" +
                 table + Failures(runs);
        await AtomicFile.WriteTextAsync(Path.Combine(folder, "summary.md"), md);
        return table;
    }

    /// <summary>The distinct real-against-real floors of the runs (one, unless gan.eval_samples or the data differ).</summary>
    private static IReadOnlyList<RunFinal> Floors(IReadOnlyList<RunRecord> runs) =>
        runs.Select(r => r.Final).OfType<RunFinal>().Where(f => f.FloorImages > 0)
            .DistinctBy(f => (f.FloorImages, f.FloorFd, f.FloorKid)).ToList();

    private static IReadOnlyList<double> Fds(Combination c) => c.Done.Select(r => r.Final!.Fd).Where(double.IsFinite).ToList();

    /// <summary>The row's status, naming the seeds whose generator collapsed and where: their FDs are in the mean.</summary>
    private static string Status(Combination c)
    {
        var collapsed = c.Done.Select(r => (r.Run.Seed, Since: r.Final!.Number(GanTask.CollapsedSinceKey)))
            .Where(r => double.IsFinite(r.Since)).Select(r => $"s{r.Seed} from it. {r.Since:0}").ToList();
        return collapsed.Count == 0 ? c.Status : $"{c.Status}; collapsed: {string.Join(", ", collapsed)}";
    }

    private static string Images(Combination c) =>
        c.Done.FirstOrDefault()?.Final is { GeneratedImages: > 0 } f ? $"{f.GeneratedImages} / {f.RealImages}" : "";

    public static TextTable CsvTable(IReadOnlyList<string> keys, IReadOnlyList<Combination> combinations)
    {
        var headers = new List<string>(keys)
        {
            "run", "seed", "runs", "done", "failed", "features", "fd", "fd_std", "paper_fid", "kid", "kid_std",
            "generated_images", "real_images", "iterations", "train_seconds", "parameters", "multiply_adds", "status",
            "real_floor_fd", "real_floor_kid", "real_floor_images",
        };
        var rows = combinations.Select(c =>
        {
            var (fd, fdStd) = Combination.MeanStd(Fds(c));
            var first = c.Done.FirstOrDefault()?.Final;
            return (IReadOnlyList<string>)
            [
                .. c.Values,
                string.Join(";", c.Runs.Select(r => r.Run.Id)),
                string.Join(";", c.Runs.Select(r => r.Run.Seed.ToString(CultureInfo.InvariantCulture))),
                Int(c.Runs.Count), Int(c.Done.Count), Int(c.Failed.Count),
                first?.Features ?? "",
                Format(fd, "0.####"), Format(fdStd, "0.####"),
                c.PaperFid is { } p ? Format(p, "0.##") : "",
                Format(Mean(c.Done.Select(r => r.Final!.Kid)), "0.######"), Format(Mean(c.Done.Select(r => r.Final!.KidStd)), "0.######"),
                first?.GeneratedImages.ToString(CultureInfo.InvariantCulture) ?? "", first?.RealImages.ToString(CultureInfo.InvariantCulture) ?? "",
                Iterations(c), Format(Mean(c.Done.Select(r => r.Final!.TrainSeconds)), "0.###"),
                first?.Parameters.ToString(CultureInfo.InvariantCulture) ?? "",
                first is { MultiplyAdds: > 0 } m ? m.MultiplyAdds.ToString(CultureInfo.InvariantCulture) : "",
                Status(c),
                .. c.Done.Select(r => r.Final!).FirstOrDefault(f => f.FloorImages > 0) is { } floor
                    ? [Format(floor.FloorFd, "0.####"), Format(floor.FloorKid, "0.######"), floor.FloorImages.ToString(CultureInfo.InvariantCulture)]
                    : (string[])["", "", ""],
            ];
        }).ToList();
        return new TextTable(headers, rows);
    }

    /// <summary>One row per combination, then one "real vs real (floor)" row per distinct floor.</summary>
    public static TextTable MarkdownTable(IReadOnlyList<string> keys, IReadOnlyList<Combination> combinations, string features, IReadOnlyList<RunFinal>? floors = null)
    {
        var withPaper = combinations.Any(c => c.PaperFid is not null);
        var headers = new List<string>(keys.Count > 0 ? keys : ["configuration"]) { "seeds", $"FD ({features})" };
        if (withPaper) headers.Add("paper FID");
        headers.AddRange([$"KID ({features})", "images (generated / real)", "iterations", "train (s)", "parameters", "MACs/pixel", "status"]);
        var rows = combinations.Select(c =>
        {
            var (fd, fdStd) = Combination.MeanStd(Fds(c));
            var row = new List<string>(keys.Count > 0 ? c.Values : ["base"])
            {
                string.Join(" ", c.Runs.Select(r => r.Run.Seed.ToString(CultureInfo.InvariantCulture))),
                double.IsNaN(fdStd) ? Format(fd, "0.00") : $"{Format(fd, "0.00")} ± {Format(fdStd, "0.00")}",
            };
            if (withPaper) row.Add(c.PaperFid is { } p ? Format(p, "0.0") : "");
            var first = c.Done.FirstOrDefault()?.Final;
            row.AddRange([
                Format(Mean(c.Done.Select(r => r.Final!.Kid)), "0.0000"), Images(c), Iterations(c),
                Format(Mean(c.Done.Select(r => r.Final!.TrainSeconds)), "0.0"),
                first?.Parameters.ToString(CultureInfo.InvariantCulture) ?? "",
                first is { MultiplyAdds: > 0 } m ? m.MultiplyAdds.ToString(CultureInfo.InvariantCulture) : "",
                Status(c)]);
            return (IReadOnlyList<string>)row;
        }).ToList();
        foreach (var f in floors ?? [])
        {
            var row = new List<string> { "real vs real (floor)" };
            row.AddRange(Enumerable.Repeat("", Math.Max(1, keys.Count) - 1));
            row.AddRange(["", Format(f.FloorFd, "0.00")]);
            if (withPaper) row.Add("");
            row.AddRange([Format(f.FloorKid, "0.0000"), $"{f.FloorImages} / {f.FloorImages}", "", "", "", "", ""]);
            rows.Add(row);
        }
        return new TextTable(headers, rows);
    }
}
