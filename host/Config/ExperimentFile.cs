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
            throw new ConfigException(root is null ? Origin.CommandLine(source) : Origin.InFile(source, root.Start), "experiments",
                "expected a mapping with an 'experiments:' key");
        var node = Lookup(top, "experiments");
        if (node is null)
        {
            var keys = top.Children.Keys.Select(YamlText.ScalarValue).OfType<string>();
            throw new ConfigException(Origin.InFile(source, top.Start), "experiments",
                $"no 'experiments:' key" + (Suggest.Nearest("experiments", keys) is { } typo ? $" (is '{typo}' a typo?)" : ""));
        }
        if (node is not YamlMappingNode experiments)
            throw new ConfigException(Origin.InFile(source, node.Start), "experiments",
                $"expected a mapping of experiment names to experiments, got {YamlText.Describe(node)}");

        var bodies = experiments.Children.ToDictionary(e => YamlText.ScalarValue(e.Key) ?? "", e => (Key: e.Key, Body: e.Value));
        var read = new Dictionary<string, Experiment>();
        var list = experiments.Children
            .Select(e => ReadExperiment(YamlText.ScalarValue(e.Key) ?? "", bodies, read, [], source))
            .ToList();
        return new ExperimentFile(source, directory, list);
    }

    public IReadOnlyList<string> Names => Experiments.Select(e => e.Name).ToList();

    /// <summary>The experiment called <paramref name="name"/>, or an error suggesting the nearest name.</summary>
    public Experiment Find(string name) =>
        Experiments.FirstOrDefault(e => e.Name == name)
        ?? throw new ConfigException(Origin.CommandLine(Path), null,
            $"unknown experiment '{name}'{Suggest.Hint(name, Names)}; the file declares {string.Join(", ", Names)}");

    /// <summary>
    /// Reads one experiment, first reading the one it <c>extends</c> (in any order in the file): the parent's
    /// configuration, sweep, seeds, description and paper numbers are the starting point, and every key the
    /// experiment writes itself wins (configuration keys one by one, like a merge key; sweep and seeds whole).
    /// </summary>
    private static Experiment ReadExperiment(
        string name, IReadOnlyDictionary<string, (YamlNode Key, YamlNode Body)> bodies, Dictionary<string, Experiment> read,
        IReadOnlyList<string> chain, string source)
    {
        if (read.TryGetValue(name, out var done)) return done;
        var (keyNode, body) = bodies[name];
        var origin = Origin.InFile(source, keyNode.Start);
        if (!ValidName().IsMatch(name))
            throw new ConfigException(origin, "experiments", $"experiment names may use letters, digits, '.', '_' and '-' (they name folders), got \"{name}\"");
        var key = $"experiments.{name}";
        if (body is not YamlMappingNode map)
            throw new ConfigException(Origin.InFile(source, body.Start), key, $"expected a mapping (data, model, train, sweep, seeds), got {YamlText.Describe(body)}");

        Experiment? parent = null;
        if (Lookup(map, ExtendsKey) is { } extendsNode)
        {
            var extendsValue = ConfigValue.InFile(extendsNode, source);
            var parentName = ValueReader.Scalar($"{key}.{ExtendsKey}", extendsValue, "the name of another experiment");
            if (!bodies.ContainsKey(parentName))
                throw ValueReader.Error($"{key}.{ExtendsKey}", extendsValue,
                    $"unknown experiment '{parentName}'{Suggest.Hint(parentName, bodies.Keys.Where(n => n != name))}; the file declares {string.Join(", ", bodies.Keys)}");
            if (parentName == name || chain.Contains(parentName))
                throw ValueReader.Error($"{key}.{ExtendsKey}", extendsValue,
                    $"experiments extend each other in a circle: {string.Join(" -> ", chain.SkipWhile(c => c != parentName).Append(name).Append(parentName))}");
            parent = ReadExperiment(parentName, bodies, read, [.. chain, name], source);
        }

        var config = new OrderedDictionary<string, ConfigValue>();
        if (parent is not null)
            foreach (var (k, v) in parent.Base) config[k] = v;
        Flattener.Flatten(map, "", source, config, skipTopLevel: Experiment.ReservedKeys);

        var description = Lookup(map, "description") is { } d ? ValueReader.Text($"{key}.description", ConfigValue.InFile(d, source)) : parent?.Description;
        var sweepNode = Lookup(map, "sweep");
        var sweep = sweepNode is null && parent is not null ? parent.Sweep : ReadSweep(sweepNode, source, key);
        var seedsNode = Lookup(map, "seeds");
        var seeds = seedsNode is null && parent is not null ? parent.Seeds : ReadSeeds(seedsNode is null ? null : ConfigValue.InFile(seedsNode, source), $"{key}.seeds");
        var threadsNode = Lookup(map, Experiment.ThreadsKey);
        var threads = threadsNode is null ? parent?.Threads
            : ValueReader.Int($"{key}.{Experiment.ThreadsKey}", ConfigValue.InFile(threadsNode, source), min: 1);
        var paperNode = Lookup(map, "paper");
        var (psnr, ssim, fid) = paperNode is null && parent is not null
            ? (InheritPaper(parent, parent.PaperPsnrDb, sweep), InheritPaper(parent, parent.PaperSsim, sweep), InheritPaper(parent, parent.PaperFid, sweep))
            : ReadPaper(paperNode, sweep, source, key);
        var experiment = new Experiment(name, description, origin, config, sweep, seeds, psnr, ssim, fid, threads);
        read[name] = experiment;
        return experiment;
    }

    /// <summary>The parent's paper numbers that still name a value of the (possibly narrower) sweep over the same key.</summary>
    private static IReadOnlyDictionary<string, double> InheritPaper(Experiment parent, IReadOnlyDictionary<string, double> numbers, IReadOnlyList<SweepAxis> sweep)
    {
        if (numbers.Count == 0 || sweep.Count != 1 || parent.Sweep.Count != 1 || parent.Sweep[0].Key != sweep[0].Key)
            return new Dictionary<string, double>();
        var written = sweep[0].Values.Select(v => YamlText.ScalarValue(v.Node) ?? YamlText.Flow(v.Node)).ToHashSet();
        return numbers.Where(p => written.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value);
    }

    /// <summary><c>extends: other-experiment</c> starts an experiment from another one.</summary>
    public const string ExtendsKey = "extends";

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
            if (axisKey == SweepAxis.RowKey)
            {
                axes.Add(ReadRows(values));
                continue;
            }
            Schema.CheckKnown(axisKey, values.Origin);
            var items = ValueReader.List(axisKey, values, "values to sweep", minCount: 1);
            axes.Add(new SweepAxis(axisKey, values.Origin, items));
        }
        return axes;
    }

    /// <summary>
    /// <c>row: [{name: ours, model: {layout: coarse-to-fine}}, ...]</c>: the rows of a table, each a name and the
    /// keys it sets (nested or dotted), swept as <c>row.name</c>.
    /// </summary>
    private static SweepAxis ReadRows(ConfigValue values)
    {
        const string key = "sweep.row";
        var items = ValueReader.List(key, values, "rows ({name: ..., model: {...}})", minCount: 1);
        var names = new List<ConfigValue>();
        var settings = new List<IReadOnlyDictionary<string, ConfigValue>>();
        foreach (var item in items)
        {
            if (item.Node is not YamlMappingNode map)
                throw ValueReader.Error(key, item, $"expected a row {{name: ..., <keys it sets>}}, got {YamlText.Describe(item.Node)}");
            var nameNode = Lookup(map, "name") ?? throw ValueReader.Error(key, item, "a row needs a name: (its label in summaries and paper numbers)");
            var flat = new OrderedDictionary<string, ConfigValue>();
            Flattener.Flatten(map, "", item.Origin.Source, flat, skipTopLevel: new HashSet<string> { "name" });
            foreach (var (k, v) in flat) Schema.CheckKnown(k, v.Origin);
            var name = item.Child(nameNode);
            ValueReader.Text($"{key}.name", name);
            names.Add(name);
            settings.Add(flat);
        }
        return new SweepAxis(SweepAxis.RowNameKey, values.Origin, names, settings);
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

    private static (IReadOnlyDictionary<string, double> PsnrDb, IReadOnlyDictionary<string, double> Ssim, IReadOnlyDictionary<string, double> Fid) ReadPaper(
        YamlNode? node, IReadOnlyList<SweepAxis> sweep, string source, string key)
    {
        var paper = new Dictionary<string, double>();
        var ssims = new Dictionary<string, double>();
        var fids = new Dictionary<string, double>();
        if (node is null) return (paper, ssims, fids);
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
            // Either `quad-tree: 40.55` or `quad-tree: {psnr_db: 40.55, ssim: 0.98}` (a GAN's `ours: {fid: 18.3}`).
            if (v is YamlMappingNode m)
            {
                foreach (var (field, _) in m.Children)
                    if (YamlText.ScalarValue(field) is var f && f is not ("psnr_db" or "ssim" or "fid"))
                        throw new ConfigException(Origin.InFile(source, field.Start), $"{entryKey}.{f}", $"unknown key '{f}'{Suggest.Hint(f ?? "", ["psnr_db", "ssim", "fid"])}; a paper entry has psnr_db, ssim or fid");
                if (Lookup(m, "psnr_db") is { } p) paper[value] = ValueReader.Number($"{entryKey}.psnr_db", ConfigValue.InFile(p, source));
                if (Lookup(m, "ssim") is { } s) ssims[value] = ValueReader.Number($"{entryKey}.ssim", ConfigValue.InFile(s, source));
                if (Lookup(m, "fid") is { } fid) fids[value] = ValueReader.Number($"{entryKey}.fid", ConfigValue.InFile(fid, source), atLeast: 0);
            }
            else paper[value] = ValueReader.Number(entryKey, ConfigValue.InFile(v, source));
        }
        return (paper, ssims, fids);
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
