namespace LoE.Host.Output;

/// <summary>
/// The runs of one configuration that differ only in their seed: one row of the summary, one line of the plot.
/// </summary>
/// <param name="Values">The combination's value of each summary key (the swept keys, and any other key that
/// differs between the runs found in the folder).</param>
public sealed record Combination(IReadOnlyList<string> Values, IReadOnlyList<RunRecord> Runs)
{
    public IReadOnlyList<RunRecord> Done => Runs.Where(r => r is { State: RunState.Done, Final: not null }).ToList();

    public IReadOnlyList<RunRecord> Failed => Runs.Where(r => r.State == RunState.Failed).ToList();

    public IReadOnlyList<double> Psnr => Done.Select(r => r.Final!.PsnrDb).Where(double.IsFinite).ToList();

    public double MeanPsnr => Psnr.Count > 0 ? Psnr.Average() : double.NaN;

    /// <summary>Sample standard deviation over seeds (n − 1); NaN with fewer than two finished seeds.</summary>
    public double StdPsnr => MeanStd(Psnr).Std;

    /// <summary>Mean and sample standard deviation (n − 1) of values over seeds; NaN where too few.</summary>
    public static (double Mean, double Std) MeanStd(IReadOnlyList<double> xs)
    {
        if (xs.Count == 0) return (double.NaN, double.NaN);
        var mean = xs.Average();
        return (mean, xs.Count < 2 ? double.NaN : Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Count - 1)));
    }

    public double? PaperPsnrDb => Runs.Select(r => r.Run.PaperPsnrDb).FirstOrDefault(p => p is not null);
    public double? PaperSsim => Runs.Select(r => r.Run.PaperSsim).FirstOrDefault(p => p is not null);
    public double? PaperFid => Runs.Select(r => r.Run.PaperFid).FirstOrDefault(p => p is not null);

    /// <summary>done, failed, partial, new, or a mix such as "2 done, 1 failed".</summary>
    public string Status
    {
        get
        {
            var counts = Runs.GroupBy(r => r.State).OrderBy(g => g.Key switch
            {
                RunState.Done => 0, RunState.Failed => 1, RunState.Partial => 2, _ => 3,
            }).Select(g => (State: g.Key.ToString().ToLowerInvariant(), g.Count())).ToList();
            return counts.Count == 1 ? counts[0].State : string.Join(", ", counts.Select(c => $"{c.Item2} {c.State}"));
        }
    }

    /// <summary>The combination for legends: "model.layout=quad-tree" style, or just the value for one key.</summary>
    public string Label(IReadOnlyList<string> keys) =>
        keys.Count == 0 ? "base" :
        keys.Count == 1 ? Values[0] :
        string.Join(", ", keys.Select((k, i) => $"{k[(k.LastIndexOf('.') + 1)..]}={Values[i]}"));

    /// <summary>
    /// Groups runs by their whole configuration except the seed (and keys that cannot change results), so that
    /// runs written by different invocations with different --set values are never averaged together.
    /// Returns the summary keys and the combinations in the order of the sweep.
    /// </summary>
    public static (IReadOnlyList<string> Keys, IReadOnlyList<Combination> Combinations) Group(IReadOnlyList<RunRecord> runs)
    {
        static bool Counts(string key) => key != Config.Schema.SeedKey && !Config.Schema.UnhashedKeys.Contains(key);
        var swept = runs.SelectMany(r => r.Run.Swept.Select(s => s.Key)).Distinct().ToList();
        var allKeys = runs.SelectMany(r => r.Config.Keys).Where(Counts).Distinct().ToList();
        string ValueOf(RunRecord r, string key) => r.Config.TryGetValue(key, out var v) ? v : "";
        // A key that only changes with the swept values (a table row's keys) says nothing the sweep does not;
        // keys that differ between runs of the same swept values (e.g. another --set) get a column.
        string SweptOf(RunRecord r) => string.Join("\n", swept.Select(k => $"{k}={ValueOf(r, k)}"));
        var varying = allKeys.Where(k => !swept.Contains(k)
            && runs.GroupBy(SweptOf).Any(g => g.Select(r => ValueOf(r, k)).Distinct().Count() > 1));
        var keys = swept.Concat(varying).ToList();

        var combinations = runs
            .GroupBy(r => string.Join("\n", allKeys.Select(k => $"{k}={ValueOf(r, k)}")))
            .Select(g => new Combination(keys.Select(k => ValueOf(g.First(), k)).ToList(), g.OrderBy(r => r.Run.Seed).ToList()))
            .OrderBy(c => c.Runs.Min(r => r.Run.Index))
            .ThenBy(c => string.Join(",", c.Values), StringComparer.Ordinal)
            .ToList();
        return (keys, combinations);
    }
}
