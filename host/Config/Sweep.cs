namespace LoE.Host.Config;

/// <summary>Expands an experiment into its runs: the cartesian product of the swept values, times the seeds.</summary>
public static class Sweep
{
    /// <summary>
    /// Every run of <paramref name="experiment"/>, each configuration resolved and checked (base, then swept
    /// values, then <paramref name="overrides"/>), so that a mistake stops everything before any run starts.
    /// A <c>--set</c> of a swept key replaces that sweep by its single value. Runs are ordered with the first
    /// swept key varying slowest and the seed fastest.
    /// </summary>
    public static IReadOnlyList<RunPlan> Expand(ExperimentFile file, Experiment experiment, IReadOnlyList<Override>? overrides = null)
    {
        overrides ??= [];
        var seedsOverride = overrides.FirstOrDefault(o => o.Key == Override.SeedsKey);
        var seeds = seedsOverride is null ? experiment.Seeds : ExperimentFile.ReadSeeds(seedsOverride.Value, Override.SeedsKey);
        var settings = overrides.Where(o => o.Key != Override.SeedsKey).ToList();
        // A --set of a swept key narrows that sweep to the one value (the key stays in run ids and summaries).
        var axes = experiment.Sweep
            .Select(a => settings.FirstOrDefault(o => o.Key == a.Key) is { } o ? Narrow(a, o) : a)
            .ToList();

        var runs = new List<RunPlan>();
        var seen = new Dictionary<string, IReadOnlyList<(SweepAxis Axis, ConfigValue Value)>>();
        foreach (var combination in Combinations(axes))
        foreach (var seed in seeds)
        {
            var raw = new OrderedDictionary<string, ConfigValue>();
            foreach (var (k, v) in experiment.Base) raw[k] = v;
            foreach (var (axis, value) in combination)
            {
                raw[axis.Key] = value;
                // A row sets its keys too; later axes and --set still win.
                if (axis.Settings is { } rows)
                    foreach (var (k, v) in rows[IndexOf(axis, value)]) raw[k] = v;
            }
            foreach (var o in settings) raw[o.Key] = o.Value;

            var config = Schema.Resolve(raw, seed, file.Directory, experiment.Origin, $"experiments.{experiment.Name}");
            var swept = combination
                .Select(c => new SweptValue(c.Axis.Key, config.Find(c.Axis.Key).Text, YamlText.ScalarValue(c.Value.Node) ?? YamlText.Flow(c.Value.Node)))
                .ToList();
            var run = new RunPlan(experiment.Name, RunId.Make(swept, seed, config.Hash), swept, seed, config);
            if (seen.TryGetValue(run.Id, out var twin))
            {
                // Same configuration twice: a value listed twice, or two spellings of one value (bilinear, nlinear).
                var i = Enumerable.Range(0, combination.Count).FirstOrDefault(j => !ReferenceEquals(combination[j].Value, twin[j].Value));
                var blame = combination.Count > 0 ? combination[i].Value.Origin : experiment.Origin;
                throw new ConfigException(blame, combination.Count > 0 ? combination[i].Axis.Key : null,
                    $"two runs of experiment '{experiment.Name}' would have the same configuration ({run.Id}); is a value listed twice?");
            }
            seen[run.Id] = combination;
            runs.Add(run);
        }
        return runs;
    }

    private static int IndexOf(SweepAxis axis, ConfigValue value)
    {
        for (var i = 0; i < axis.Values.Count; i++)
            if (ReferenceEquals(axis.Values[i], value)) return i;
        throw new InvalidOperationException("a swept value that is not on its axis");
    }

    /// <summary>A --set of a swept key keeps that one value; for a row sweep, the row of that name with its keys.</summary>
    private static SweepAxis Narrow(SweepAxis axis, Override o)
    {
        if (axis.Settings is null) return axis with { Values = [o.Value] };
        var wanted = YamlText.ScalarValue(o.Value.Node);
        var names = axis.Values.Select(v => YamlText.ScalarValue(v.Node)).ToList();
        var i = names.IndexOf(wanted);
        if (i < 0)
            throw new ConfigException(o.Value.Origin, axis.Key, $"no row '{wanted}'{Suggest.Hint(wanted ?? "", names.OfType<string>())}; rows: {string.Join(", ", names)}");
        return axis with { Values = [axis.Values[i]], Settings = [axis.Settings[i]] };
    }

    /// <summary>All combinations, the first axis varying slowest; one empty combination when nothing is swept.</summary>
    private static IEnumerable<IReadOnlyList<(SweepAxis Axis, ConfigValue Value)>> Combinations(IReadOnlyList<SweepAxis> axes)
    {
        IEnumerable<IReadOnlyList<(SweepAxis, ConfigValue)>> acc = [[]];
        foreach (var axis in axes)
        {
            var current = axis;
            acc = acc.SelectMany(prefix => current.Values.Select(v => (IReadOnlyList<(SweepAxis, ConfigValue)>)[.. prefix, (current, v)]));
        }
        return acc.ToList();
    }
}
