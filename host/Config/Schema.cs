using LoE.Host.Tasks;
namespace LoE.Host.Config;

/// <summary>Every key a run configuration may have, in canonical order: the keys of the section records
/// (<see cref="RowConfig"/>, <see cref="DataConfig"/>, <see cref="ModelConfig"/>, <see cref="TrainConfig"/>,
/// <see cref="SceneConfig"/>, <see cref="GanConfig"/>).</summary>
public static class Schema
{
    public const string SeedKey = "train.seed";

    /// <summary>The sections in canonical order (the order of config.yaml and of the text the run id hashes).</summary>
    public static IReadOnlyList<ConfigSection> Sections { get; } =
    [
        ConfigSection.Of<RowConfig>("row"),
        ConfigSection.Of<DataConfig>("data"),
        // A GAN's two networks are described by the gan section.
        ConfigSection.Of<ModelConfig>("model", c => !c.Data.IsGan),
        ConfigSection.Of<TrainConfig>("train"),
        ConfigSection.Of<SceneConfig>("scene", c => c.Data.IsScene),
        ConfigSection.Of<GanConfig>("gan", c => c.Data.IsGan),
    ];

    public static IReadOnlyList<ConfigKey> Keys { get; } = Sections.SelectMany(s => s.Keys).ToList();

    /// <summary>Keys an experiments file or --set may write.</summary>
    public static IReadOnlyList<string> KeyNames { get; } = Keys.Where(k => !k.Derived).Select(k => k.Key).ToList();

    /// <summary>Keys that do not change a run's results (and so neither its id nor its hash).</summary>
    public static IReadOnlySet<string> UnhashedKeys { get; } = Keys.Where(k => !k.InHash).Select(k => k.Key).ToHashSet();

    /// <summary>Keys left out of the hash and config.yaml while at their default (canonical text of the default).</summary>
    public static IReadOnlyDictionary<string, string> QuietDefaults { get; } =
        Keys.Where(k => k.Rules.QuietAtDefault && k.Default is not null).ToDictionary(k => k.Key, k => k.Format(k.Default!));

    private static readonly HashSet<string> Groups = Sections.Select(s => s.Name).ToHashSet();

    /// <summary>Fails unless <paramref name="key"/> is a configuration key; suggests the nearest one.</summary>
    public static void CheckKnown(string key, Origin origin)
    {
        if (KeyNames.Contains(key)) return;
        if (key == SeedKey)
            throw new ConfigException(origin, key, "the seed comes from the experiment's 'seeds: [...]' list, not from train.seed");
        if (Groups.Contains(key))
            throw new ConfigException(origin, key, $"expected a mapping of keys such as {string.Join(", ", KeyNames.Where(k => k.StartsWith(key + ".", StringComparison.Ordinal)).Take(3))}");
        throw new ConfigException(origin, key, $"unknown key '{key}'{Suggest.Hint(key, KeyNames)}");
    }

    /// <summary>
    /// Checks every key of a flat configuration and reads it into the typed sections (defaults filled in, keys in
    /// canonical order). A value written where its key does not apply is checked too, then left out.
    /// <paramref name="where"/> is blamed for missing keys.
    /// </summary>
    public static ResolvedConfig Resolve(
        IReadOnlyDictionary<string, ConfigValue> raw, int seed, string baseDirectory, Origin where, string? whereKey = null)
    {
        foreach (var (key, value) in raw) CheckKnown(key, value.Origin);

        var context = new ConfigContext(baseDirectory, raw, where, whereKey);
        var values = new List<ResolvedValue>();
        foreach (var section in Sections)
        {
            var record = section.NewDefault();
            context.Enter(record);
            var sectionApplies = section.AppliesTo(context);
            foreach (var key in section.Keys)
            {
                if (key.Derived)
                {
                    key.Set(record, seed);
                    values.Add(new ResolvedValue(key.Key, seed, null, key.Format(seed)));
                    continue;
                }
                var applies = sectionApplies && key.AppliesTo(record);
                if (raw.TryGetValue(key.Key, out var value))
                {
                    var typed = key.Read(value, context);
                    if (!applies) continue;
                    key.Set(record, typed);
                    values.Add(new ResolvedValue(key.Key, typed, value.Origin, key.Format(typed)));
                }
                else if (!applies) continue;
                else if (key.Required)
                    throw new ConfigException(where, whereKey, $"missing required key '{key.Key}' ({key.Help})");
                else if (key.Default is { } d)
                    values.Add(new ResolvedValue(key.Key, d, null, key.Format(d)));
            }
            if (sectionApplies) (record as ICheckedSection)?.Check(context);
        }
        var sources = Tasks.TaskTable.All.SelectMany(t => t.SourceKeys).ToList();
        if (!values.Any(v => sources.Contains(v.Key)))
            throw new ConfigException(where, whereKey, $"missing required key '{sources[^2]}' (or {string.Join(", ", sources.SkipLast(2).Append(sources[^1]).Select(k => $"'{k}'"))})");
        return new ResolvedConfig(values, baseDirectory, context.Row, context.Data, context.Model, context.Train, context.Scene, context.Gan);
    }
}
