namespace LoE.Host.Cli;

/// <summary><c>loe list FILE</c>: each experiment and its expanded runs (run id, swept values, seed, state in the output folder).</summary>
public static class ListCommand
{
    public static int Execute(ListOptions options, TextWriter output)
    {
        var file = ExperimentFile.Load(options.File);
        var overrides = Override.Parse(options.Set);
        var experiments = options.Experiment is { } name ? [file.Find(name)] : file.Experiments;
        // Expand (and so check) everything before printing anything.
        var expanded = experiments.Select(e => (Experiment: e, Runs: Sweep.Expand(file, e, overrides))).ToList();
        foreach (var (experiment, runs) in expanded)
        {
            var first = runs[0].Config;
            var size = first.Data.Size is [var w, var h] ? $" at {w}×{h}" : "";
            output.WriteLine($"{experiment.Name}: {runs.Count} run{(runs.Count == 1 ? "" : "s")}, " +
                             $"{first.Find(first.Data.SourceKey).Text}{size}, {first.Train.Iterations} iterations" +
                             (experiment.Threads is { } t ? $", {t} thread{(t == 1 ? "" : "s")} per run" : ""));
            if (experiment.Description is { } d) output.WriteLine($"  {d}");
            var keys = runs.SelectMany(r => r.Swept.Select(s => s.Key)).Distinct().ToList();
            var rows = runs.Select(r => (IReadOnlyList<string>)[
                r.Id,
                .. keys.Select(k => r.Swept.FirstOrDefault(s => s.Key == k)?.Text ?? ""),
                r.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
                RunFolder.For(options.Out, r).State(r.Config.Hash).ToString().ToLowerInvariant()]).ToList();
            output.Write(new TextTable(["run", .. keys, "seed", "state"], rows).ToPlain("  "));
            output.WriteLine();
        }
        return 0;
    }
}
