using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace LoE.Host.Config;

/// <summary>
/// experiments.yaml: top-level keys other than <c>experiments</c> are free (for anchors such as
/// <c>defaults: &amp;toy</c>); <c>experiments</c> maps names to experiments.
/// </summary>
public sealed partial record ExperimentFile(string Path, string Directory, IReadOnlyList<Experiment> Experiments)
{
    /// <summary>Reads and checks the structure of an experiments file (run configurations are checked by <see cref="Sweep.Expand"/>).</summary>
    public static ExperimentFile Load(string path)
    {
        if (!File.Exists(path))
            throw new ConfigException(Origin.CommandLine(path), null, "file not found");
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        return Parse(File.ReadAllText(path), path, directory);
    }

    /// <summary>Parses experiments YAML; <paramref name="source"/> names the file in messages, paths are relative to <paramref name="directory"/>.</summary>
    public static ExperimentFile Parse(string yaml, string source, string directory)
    {
        var root = YamlText.Parse(yaml, source);
        if (root is not YamlMappingNode top)
            throw new ConfigException(root is null ? Origin.CommandLine(source) : Origin.InFile(source, root.Start), null,
                "expected a mapping with an 'experiments:' key");
        var node = Lookup(top, "experiments");
        if (node is null)
        {
            var keys = top.Children.Keys.Select(YamlText.ScalarValue).OfType<string>();
            throw new ConfigException(Origin.InFile(source, top.Start), null,
                $"no 'experiments:' key" + (Suggest.Nearest("experiments", keys) is { } typo ? $" (is '{typo}' a typo?)" : ""));
        }
        if (node is not YamlMappingNode experiments)
            throw new ConfigException(Origin.InFile(source, node.Start), "experiments",
                $"expected a mapping of experiment names to experiments, got {YamlText.Describe(node)}");

        var list = experiments.Children.Select(e => ReadExperiment(e.Key, e.Value, source)).ToList();
        return new ExperimentFile(source, directory, list);
    }

    public IReadOnlyList<string> Names => Experiments.Select(e => e.Name).ToList();

    /// <summary>The experiment called <paramref name="name"/>, or an error suggesting the nearest name.</summary>
    public Experiment Find(string name) =>
        Experiments.FirstOrDefault(e => e.Name == name)
        ?? throw new ConfigException(Origin.CommandLine(Path), null,
            $"unknown experiment '{name}'{Suggest.Hint(name, Names)}; the file declares {string.Join(", ", Names)}");

    private static Experiment ReadExperiment(YamlNode keyNode, YamlNode body, string source)
    {
        var origin = Origin.InFile(source, keyNode.Start);
        var name = YamlText.ScalarValue(keyNode) ?? "";
        if (!ValidName().IsMatch(name))
            throw new ConfigException(origin, "experiments", $"experiment names may use letters, digits, '.', '_' and '-' (they name folders), got \"{name}\"");
        var key = $"experiments.{name}";
        if (body is not YamlMappingNode map)
            throw new ConfigException(Origin.InFile(source, body.Start), key, $"expected a mapping (data, model, train, sweep, seeds), got {YamlText.Describe(body)}");

        var config = new OrderedDictionary<string, ConfigValue>();
        Flattener.Flatten(map, "", source, config, skipTopLevel: Experiment.ReservedKeys);

        var description = Lookup(map, "description") is { } d ? ValueReader.Text($"{key}.description", ConfigValue.InFile(d, source)) : null;
        var sweep = ReadSweep(Lookup(map, "sweep"), source, key);
        var seeds = ReadSeeds(Lookup(map, "seeds") is { } s ? ConfigValue.InFile(s, source) : null, $"{key}.seeds");
        var paper = ReadPaper(Lookup(map, "paper"), sweep, source, key);
        return new Experiment(name, description, origin, config, sweep, seeds, paper);
    }

    private static IReadOnlyList<SweepAxis> ReadSweep(YamlNode? node, string source, string key)
    {
        if (node is null or YamlScalarNode { Value: null or "" }) return [];
        if (node is not YamlMappingNode map)
            throw new ConfigException(Origin.InFile(source, node.Start), $"{key}.sweep",
                $"expected a mapping of keys to lists of values (e.g. model.layout: [pe-mlp, quad-tree]), got {YamlText.Describe(node)}");
        var flat = new OrderedDictionary<string, ConfigValue>();
        Flattener.Flatten(map, "", source, flat);
        var axes = new List<SweepAxis>();
        foreach (var (axisKey, values) in flat)
        {
            Schema.CheckKnown(axisKey, values.Origin);
            var items = ValueReader.List(axisKey, values, "values to sweep", minCount: 1);
            axes.Add(new SweepAxis(axisKey, values.Origin, items));
        }
        return axes;
    }

    /// <summary>A list of distinct seeds (or one seed); absent means [0].</summary>
    public static IReadOnlyList<int> ReadSeeds(ConfigValue? value, string key)
    {
        if (value is null) return [0];
        var seeds = value.Node is YamlSequenceNode
            ? ValueReader.IntList(key, value, entryMin: 0, minCount: 1)
            : [ValueReader.Int(key, value, min: 0)];
        var duplicate = seeds.GroupBy(s => s).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw ValueReader.Error(key, value, $"seed {duplicate.Key} is listed twice");
        return seeds;
    }

    private static IReadOnlyDictionary<string, double> ReadPaper(YamlNode? node, IReadOnlyList<SweepAxis> sweep, string source, string key)
    {
        var paper = new Dictionary<string, double>();
        if (node is null) return paper;
        key += ".paper";
        if (node is not YamlMappingNode map)
            throw new ConfigException(Origin.InFile(source, node.Start), key, $"expected a mapping from swept value to PSNR (e.g. quad-tree: 40.55), got {YamlText.Describe(node)}");
        if (sweep.Count != 1)
            throw new ConfigException(Origin.InFile(source, node.Start), key, "paper values are keyed by the swept value, so the experiment needs exactly one swept key");
        var written = sweep[0].Values.Select(v => YamlText.ScalarValue(v.Node) ?? YamlText.Flow(v.Node)).ToList();
        foreach (var (k, v) in map.Children)
        {
            var value = YamlText.ScalarValue(k) ?? YamlText.Flow(k);
            var entryKey = $"{key}.{value}";
            if (!written.Contains(value))
                throw new ConfigException(Origin.InFile(source, k.Start), entryKey,
                    $"'{value}' is not a value of the sweep over {sweep[0].Key}{Suggest.Hint(value, written)}");
            // Either `quad-tree: 40.55` or `quad-tree: {psnr_db: 40.55}`.
            var psnr = v is YamlMappingNode m && Lookup(m, "psnr_db") is { } p ? p : v;
            paper[value] = ValueReader.Number(entryKey, ConfigValue.InFile(psnr, source));
        }
        return paper;
    }

    /// <summary>A key of a mapping, looking through merge keys (<c>&lt;&lt;: *base</c>) like YAML does.</summary>
    private static YamlNode? Lookup(YamlMappingNode map, string name)
    {
        foreach (var (k, v) in map.Children)
            if (YamlText.ScalarValue(k) == name) return v;
        foreach (var (k, v) in map.Children)
        {
            if (YamlText.ScalarValue(k) != Flattener.MergeKey) continue;
            var sources = v is YamlSequenceNode seq ? seq.Children.ToList() : [v];
            foreach (var found in sources.OfType<YamlMappingNode>().Select(m => Lookup(m, name)))
                if (found is not null) return found;
        }
        return null;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex ValidName();
}
