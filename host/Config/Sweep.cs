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
        var checkedValues = new HashSet<ConfigValue>(ReferenceEqualityComparer.Instance);
        foreach (var combination in Combinations(axes))
        foreach (var seed in seeds)
        {
            // Written in layers (base, each swept value with its row's keys, --set); a later layer wins.
            var raw = new OrderedDictionary<string, ConfigValue>();
            var hidden = new List<(IReadOnlyDictionary<string, ConfigValue> Before, List<ConfigValue> Values)>();
            void Layer(IEnumerable<(string Key, ConfigValue Value)> writes)
            {
                var before = new OrderedDictionary<string, ConfigValue>(raw);
                var values = new List<ConfigValue>();
                foreach (var (k, v) in writes)
                {
                    if (raw.TryGetValue(k, out var old) && !ReferenceEquals(old, v) && before.ContainsKey(k)) values.Add(old);
                    raw[k] = v;
                }
                if (values.Count > 0) hidden.Add((before, values));
            }
            Layer(experiment.Base.Select(e => (e.Key, e.Value)));
            foreach (var (axis, value) in combination)
                // A row sets its keys too; later axes and --set still win.
                Layer([(axis.Key, value), .. axis.Settings is { } rows ? rows[IndexOf(axis, value)].Select(e => (e.Key, e.Value)) : []]);
            Layer(settings.Select(o => (o.Key, o.Value)));

            var config = Schema.Resolve(raw, seed, file.Directory, experiment.Origin, $"experiments.{experiment.Name}");
            foreach (var (before, values) in hidden)
                if (values.Any(checkedValues.Add)) CheckHidden(before, values, raw, seed, file, experiment);
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

    /// <summary>
    /// Values that a later layer replaced (a base value under a sweep, a row's key under --set) are checked all the
    /// same, in the configuration they were written in: the keys written up to their layer, completed by the run's
    /// other keys. Only mistakes located in those values are reported; the mixed configuration may fail elsewhere.
    /// </summary>
    private static void CheckHidden(
        IReadOnlyDictionary<string, ConfigValue> before, IReadOnlyList<ConfigValue> values, IReadOnlyDictionary<string, ConfigValue> run,
        int seed, ExperimentFile file, Experiment experiment)
    {
        var raw = new OrderedDictionary<string, ConfigValue>(before);
        foreach (var (k, v) in run) raw.TryAdd(k, v);
        try
        {
            Schema.Resolve(raw, seed, file.Directory, experiment.Origin, $"experiments.{experiment.Name}");
        }
        catch (ConfigException e) when (e.Origin is { } at && values.Any(v => Contains(v, at)))
        {
            throw;
        }
        catch (ConfigException)
        {
            // Not about a replaced value: the runs themselves report what is wrong with them.
        }
    }

    private static bool Contains(ConfigValue v, Origin at) =>
        !at.IsCommandLine && at.Source == v.Origin.Source
        && (at.Line, at.Column).CompareTo(((int)v.Node.Start.Line, (int)v.Node.Start.Column)) >= 0
        && (at.Line, at.Column).CompareTo(((int)v.Node.End.Line, (int)v.Node.End.Column)) <= 0;

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
