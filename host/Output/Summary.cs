using System.Globalization;
using LoE.Host.Tasks;

namespace LoE.Host.Output;

/// <summary>
/// The per-experiment results (like the paper's Table 5): summary.csv, summary.md and psnr.png, always rebuilt
/// from every run folder of the experiment, so that they cover all runs ever written there.
/// </summary>
public static class Summary
{
    /// <summary>Rebuilds the summary files of the experiment in <paramref name="experimentFolder"/>; returns its Markdown table (null when it has no runs).</summary>
    public static async Task<string?> WriteAsync(string experimentFolder)
    {
        var runs = RunRecord.LoadAll(experimentFolder);
        if (runs.Count == 0) return null;
        var (keys, combinations) = Combination.Group(runs);
        var task = TaskTable.ForRecorded(runs.SelectMany(r => r.Config.Keys));
        return await task.SummariseAsync(new SummaryInput(experimentFolder, runs[0].Run.Experiment, runs, keys, combinations));
    }

    /// <summary>
    /// A PSNR table (signals, scenes, audio): summary.csv, summary.md and psnr.png, with the task's
    /// <paramref name="extra"/> columns after PSNR and <paramref name="note"/> closing the text above the table.
    /// </summary>
    public static async Task<string> WritePsnrAsync(SummaryInput input, IReadOnlyList<SummaryColumn> extra, string note = "")
    {
        var (folder, name, runs, keys, combinations) = input;
        await AtomicFile.WriteTextAsync(Path.Combine(folder, "summary.csv"), CsvTable(keys, combinations, extra).ToCsv());
        var table = MarkdownTable(keys, combinations, extra).ToMarkdown();
        var md = $"# {name}\n\n" +
                 (runs.Select(r => r.Run.Description).FirstOrDefault(d => d is not null) is { } d ? d + "\n\n" : "") +
                 "PSNR in dB: mean ± standard deviation over seeds (finished runs only), on the whole signal (a scene: " +
                 "the mean over its held-out test views, the fine network's renders). SSIM: " +
                 "Gaussian 11×11, σ = 1.5, per channel (and frame), averaged. Parameters: every stored parameter, " +
                 "unused experts included; size: those at 4 bytes (float32)." + note + "\n\n" +
                 table + Failures(runs);
        await AtomicFile.WriteTextAsync(Path.Combine(folder, "summary.md"), md);
        if (combinations.Any(c => c.Runs.Any(r => r.History.Count > 0)))
            await PsnrPlot.WriteAsync(Path.Combine(folder, "psnr.png"), name, keys, combinations);
        return table;
    }

    /// <summary>
    /// One row per combination: its summary keys, its runs and seeds (';'-separated), counts, PSNR mean and
    /// standard deviation, the paper's number, iterations, mean training time, parameters and status.
    /// </summary>
    public static TextTable CsvTable(IReadOnlyList<string> keys, IReadOnlyList<Combination> combinations, IReadOnlyList<SummaryColumn>? extra = null)
    {
        var headers = new List<string>(keys)
        {
            "run", "seed", "runs", "done", "failed", "psnr_db", "psnr_db_std", "paper_psnr_db", "ssim", "paper_ssim",
            "iterations", "train_seconds", "parameters", "parameter_bytes", "multiply_adds", "status",
        };
        var rows = combinations.Select(c => (IReadOnlyList<string>)
        [
            .. c.Values,
            string.Join(";", c.Runs.Select(r => r.Run.Id)),
            string.Join(";", c.Runs.Select(r => r.Run.Seed.ToString(CultureInfo.InvariantCulture))),
            Int(c.Runs.Count), Int(c.Done.Count), Int(c.Failed.Count),
            Format(c.MeanPsnr, "0.####"), Format(c.StdPsnr, "0.####"),
            c.PaperPsnrDb is { } p ? Format(p, "0.##") : "",
            Format(Mean(c.Done.Select(r => r.Final!.Ssim)), "0.####"),
            c.PaperSsim is { } ps ? Format(ps, "0.###") : "",
            Iterations(c), Format(Mean(c.Done.Select(r => r.Final!.TrainSeconds)), "0.###"),
            c.Done.FirstOrDefault()?.Final!.Parameters.ToString(CultureInfo.InvariantCulture) ?? "",
            c.Done.FirstOrDefault()?.Final!.ParameterBytes.ToString(CultureInfo.InvariantCulture) ?? "",
            c.Done.FirstOrDefault()?.Final is { MultiplyAdds: > 0 } m ? m.MultiplyAdds.ToString(CultureInfo.InvariantCulture) : "",
            c.Status,
            .. (extra ?? []).Select(x => Format(x.Value(c), "0.####")),
        ]).ToList();
        headers.AddRange((extra ?? []).Select(x => x.CsvHeader));
        return new TextTable(headers, rows);
    }

    /// <summary>The readable table: PSNR as "mean ± std", the paper's column only when some combination has a number.</summary>
    public static TextTable MarkdownTable(IReadOnlyList<string> keys, IReadOnlyList<Combination> combinations, IReadOnlyList<SummaryColumn>? extra = null)
    {
        var withPaper = combinations.Any(c => c.PaperPsnrDb is not null);
        var headers = new List<string>(keys.Count > 0 ? keys : ["configuration"]) { "seeds", "PSNR (dB)" };
        if (withPaper) headers.Add("paper (dB)");
        headers.AddRange((extra ?? []).Select(x => x.Header));
        var withPaperSsim = combinations.Any(c => c.PaperSsim is not null);
        headers.Add("SSIM");
        if (withPaperSsim) headers.Add("paper SSIM");
        headers.AddRange(["iterations", "train (s)", "parameters", "MACs/sample", "size", "status"]);
        var rows = combinations.Select(c =>
        {
            var row = new List<string>(keys.Count > 0 ? c.Values : ["base"])
            {
                string.Join(" ", c.Runs.Select(r => r.Run.Seed.ToString(CultureInfo.InvariantCulture))),
                c.Psnr.Count == 0 ? "" : c.Psnr.Count == 1 ? Format(c.MeanPsnr, "0.00") : $"{Format(c.MeanPsnr, "0.00")} ± {Format(c.StdPsnr, "0.00")}",
            };
            if (withPaper) row.Add(c.PaperPsnrDb is { } p ? Format(p, "0.00") : "");
            row.AddRange((extra ?? []).Select(x => Format(x.Value(c), "0.00")));
            row.Add(Format(Mean(c.Done.Select(r => r.Final!.Ssim)), "0.000"));
            if (withPaperSsim) row.Add(c.PaperSsim is { } ps ? Format(ps, "0.000") : "");
            row.AddRange([
                Iterations(c), Format(Mean(c.Done.Select(r => r.Final!.TrainSeconds)), "0.0"),
                c.Done.FirstOrDefault()?.Final!.Parameters.ToString(CultureInfo.InvariantCulture) ?? "",
                c.Done.FirstOrDefault()?.Final is { MultiplyAdds: > 0 } m ? m.MultiplyAdds.ToString(CultureInfo.InvariantCulture) : "",
                c.Done.FirstOrDefault()?.Final is { ParameterBytes: > 0 } f ? Bytes(f.ParameterBytes) : "", c.Status]);
            return (IReadOnlyList<string>)row;
        }).ToList();
        return new TextTable(headers, rows);
    }

    internal static string Failures(IReadOnlyList<RunRecord> runs)
    {
        var failed = runs.Where(r => r.State == RunState.Failed).ToList();
        return failed.Count == 0 ? "" :
            "\n## Failed runs\n\n" + string.Concat(failed.Select(r => $"- `{r.Run.Id}`: {r.Error}\n"));
    }

    internal static string Iterations(Combination c) =>
        c.Runs[0].Config.TryGetValue("train.iterations", out var it) ? it : "";

    internal static double Mean(IEnumerable<double> xs)
    {
        var list = xs.Where(double.IsFinite).ToList();
        return list.Count > 0 ? list.Average() : double.NaN;
    }

    /// <summary>A representation's size as a compressor: its parameters stored as float32.</summary>
    public static string Bytes(long bytes) =>
        bytes >= 1 << 20 ? $"{(bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture)} MiB"
        : bytes >= 1 << 10 ? $"{(bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture)} KiB"
        : $"{bytes} B";

    internal static string Int(int x) => x.ToString(CultureInfo.InvariantCulture);

    internal static string Format(double x, string format) =>
        double.IsFinite(x) ? x.ToString(format, CultureInfo.InvariantCulture) : "";
}

/// <summary>A task's column of a PSNR table: its Markdown and CSV headers, and its number for a row.</summary>
public sealed record SummaryColumn(string Header, string CsvHeader, Func<Combination, double> Value);
