using System.Globalization;
using LoE.Host.Config;

namespace LoE.Host.Output;

/// <summary>The per-experiment results table (like the paper's Table 5): summary.csv, summary.md and the console.</summary>
public static class Summary
{
    /// <summary>One row per finished run: run, each swept key, seed, psnr_db, [paper_psnr_db], iterations, train_seconds, parameters.</summary>
    public static TextTable Table(Experiment experiment, IEnumerable<RunOutcome> outcomes, bool forCsv)
    {
        var done = outcomes.Where(o => o is { Status: RunStatus.Done, Result: not null }).ToList();
        var sweptKeys = done.SelectMany(o => o.Plan.Swept.Select(s => s.Key)).Distinct().ToList();
        var withPaper = experiment.PaperPsnrDb.Count > 0;

        var headers = new List<string> { "run" };
        headers.AddRange(sweptKeys);
        headers.AddRange(["seed", "psnr_db"]);
        if (withPaper) headers.Add("paper_psnr_db");
        headers.AddRange(["iterations", "train_seconds", "parameters"]);

        var rows = done.Select(o =>
        {
            var r = o.Result!;
            var row = new List<string> { o.Plan.Id };
            row.AddRange(sweptKeys.Select(k => o.Plan.Swept.FirstOrDefault(s => s.Key == k)?.Text.Trim('"') ?? ""));
            row.Add(o.Plan.Seed.ToString(CultureInfo.InvariantCulture));
            row.Add(Format(r.PsnrDb, forCsv ? "0.####" : "0.00"));
            if (withPaper) row.Add(o.Plan.PaperPsnrDb(experiment) is { } p ? Format(p, "0.00") : "");
            row.Add(r.Iterations.ToString(CultureInfo.InvariantCulture));
            row.Add(Format(r.TrainSeconds, forCsv ? "0.###" : "0.0"));
            row.Add(r.ParameterCount.ToString(CultureInfo.InvariantCulture));
            return (IReadOnlyList<string>)row;
        }).ToList();
        return new TextTable(headers, rows);
    }

    public static async Task WriteAsync(string outDir, Experiment experiment, IReadOnlyList<RunOutcome> outcomes)
    {
        var folder = Path.Combine(outDir, experiment.Name);
        await AtomicFile.WriteTextAsync(Path.Combine(folder, "summary.csv"), Table(experiment, outcomes, forCsv: true).ToCsv());
        var md = $"# {experiment.Name}\n\n" +
                 (experiment.Description is { } d ? d + "\n\n" : "") +
                 Table(experiment, outcomes, forCsv: false).ToMarkdown();
        await AtomicFile.WriteTextAsync(Path.Combine(folder, "summary.md"), md);
    }

    private static string Format(double x, string format) =>
        double.IsFinite(x) ? x.ToString(format, CultureInfo.InvariantCulture) : "nan";
}
