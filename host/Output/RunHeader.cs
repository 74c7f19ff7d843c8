using System.Globalization;
using System.Text;
using YamlDotNet.RepresentationModel;

namespace LoE.Host.Output;

/// <summary>
/// The <c>run:</c> block that heads a run folder's config.yaml (experiment, id, hash, seed, swept values, the
/// fitted signal's shape, paper number), so that <c>loe report</c> and <c>loe render</c> need no experiments file.
/// The one place that writes and reads it.
/// </summary>
/// <param name="Index">The run's place in the expanded sweep, so that summaries list runs in the declared order.</param>
/// <param name="SignalSize">The fitted signal's size, so that <c>loe render</c> can rebuild the model (Table 6's
/// layouts follow the size) without the data; null when written by an older loe.</param>
public sealed record RunHeader(
    string Experiment, string Id, string Hash, int Seed, int Index,
    IReadOnlyList<KeyValuePair<string, string>> Swept,
    int[]? SignalSize, int? Channels, string? BaseDirectory, double? PaperPsnrDb, string? Description, double? PaperSsim = null, double? PaperFid = null)
{
    public const string Key = "run";

    public static RunHeader For(RunPlan run, int index, Experiment experiment, (int[] Size, int Channels) data) => new(
        run.Experiment, run.Id, run.Config.Hash, run.Seed, index,
        run.Swept.Select(s => new KeyValuePair<string, string>(s.Key, s.Text)).ToList(),
        data.Size, data.Channels, run.Config.BaseDirectory, run.PaperPsnrDb(experiment), experiment.Description, run.PaperSsim(experiment), run.PaperFid(experiment));

    /// <summary>The block as YAML, values in canonical spellings.</summary>
    public string ToYaml()
    {
        var sb = new StringBuilder($"{Key}:\n");
        sb.Append($"  experiment: {Canonical.String(Experiment)}\n");
        sb.Append($"  id: {Canonical.String(Id)}\n");
        sb.Append($"  hash: {Canonical.String(Hash)}\n");
        sb.Append($"  seed: {Seed.ToString(CultureInfo.InvariantCulture)}\n");
        sb.Append($"  index: {Index.ToString(CultureInfo.InvariantCulture)}\n");
        sb.Append("  swept: {").Append(string.Join(", ", Swept.Select(s => $"{s.Key}: {s.Value}"))).Append("}\n");
        if (SignalSize is { } size) sb.Append($"  signal_size: {Canonical.Format(size)}\n");
        if (Channels is { } channels) sb.Append($"  channels: {channels.ToString(CultureInfo.InvariantCulture)}\n");
        if (BaseDirectory is { } folder) sb.Append($"  base_directory: {Canonical.String(folder)}\n");
        if (PaperPsnrDb is { } paper) sb.Append($"  paper_psnr_db: {Canonical.Number(paper)}\n");
        if (PaperSsim is { } paperSsim) sb.Append($"  paper_ssim: {Canonical.Number(paperSsim)}\n");
        if (PaperFid is { } paperFid) sb.Append($"  paper_fid: {Canonical.Number(paperFid)}\n");
        if (Description is { } d) sb.Append($"  description: {Canonical.String(d)}\n");
        return sb.ToString();
    }

    /// <summary>
    /// A run's config.yaml: its run block, and the configuration keys as written (flattened, the run block left out).
    /// Null when the file is not YAML or has no run block. Missing entries take the folder's names and neutral values.
    /// </summary>
    public static (RunHeader Header, IReadOnlyDictionary<string, ConfigValue> Config)? Read(string configPath)
    {
        YamlMappingNode? root;
        try
        {
            root = YamlText.Parse(File.ReadAllText(configPath), configPath) as YamlMappingNode;
        }
        catch (ConfigException)
        {
            return null;
        }
        if (root is null || Child(root, Key) is not YamlMappingNode run) return null;

        string? Text(string key) => Child(run, key) is YamlScalarNode { Value: { } v } ? v : null;
        int? Int(string key) => int.TryParse(Text(key), CultureInfo.InvariantCulture, out var x) ? x : null;
        var folder = Path.GetDirectoryName(Path.GetFullPath(configPath))!;
        var swept = Child(run, "swept") is YamlMappingNode s
            ? s.Children.Select(e => new KeyValuePair<string, string>(YamlText.ScalarValue(e.Key) ?? "", Plain(e.Value))).ToList()
            : [];
        var size = Child(run, "signal_size") is YamlSequenceNode seq && seq.Children.All(n => int.TryParse(YamlText.ScalarValue(n), CultureInfo.InvariantCulture, out _))
            ? seq.Children.Select(n => int.Parse(YamlText.ScalarValue(n)!, CultureInfo.InvariantCulture)).ToArray()
            : null;
        var header = new RunHeader(
            Text("experiment") ?? Path.GetFileName(Path.GetDirectoryName(folder)) ?? "",
            Text("id") ?? Path.GetFileName(folder),
            Text("hash") ?? "",
            Int("seed") ?? 0,
            Int("index") ?? int.MaxValue,
            swept,
            size,
            Int("channels"),
            Text("base_directory"),
            double.TryParse(Text("paper_psnr_db"), CultureInfo.InvariantCulture, out var paper) ? paper : null,
            Text("description"),
            double.TryParse(Text("paper_ssim"), CultureInfo.InvariantCulture, out var paperSsim) ? paperSsim : null,
            double.TryParse(Text("paper_fid"), CultureInfo.InvariantCulture, out var paperFid) ? paperFid : null);
        var config = new OrderedDictionary<string, ConfigValue>();
        Flattener.Flatten(root, "", configPath, config, skipTopLevel: new HashSet<string> { Key });
        return (header, config);
    }

    /// <summary>A node as one line with scalars as written (config.yaml already holds canonical spellings).</summary>
    public static string Plain(YamlNode node) => node switch
    {
        YamlScalarNode sc => sc.Value ?? "",
        YamlSequenceNode seq => "[" + string.Join(", ", seq.Children.Select(Plain)) + "]",
        YamlMappingNode map => "{" + string.Join(", ", map.Children.Select(e => $"{Plain(e.Key)}: {Plain(e.Value)}")) + "}",
        _ => "",
    };

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.FirstOrDefault(e => YamlText.ScalarValue(e.Key) == key).Value;
}
