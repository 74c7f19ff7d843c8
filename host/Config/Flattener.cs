using YamlDotNet.RepresentationModel;

namespace LoE.Host.Config;

/// <summary>
/// Turns nested YAML mappings into dotted keys (<c>train: {lr: 0.005}</c> → <c>train.lr</c>), applying merge keys
/// (<c>&lt;&lt;: *base</c>) key by key: a mapping that merges <c>*base</c> and says <c>train: {iterations: 30}</c>
/// overrides only <c>train.iterations</c> and keeps the rest of <c>base.train</c>.
/// </summary>
public static class Flattener
{
    public const string MergeKey = "<<";

    /// <summary>Flattens <paramref name="map"/> into <paramref name="into"/>; later writes win.</summary>
    public static void Flatten(
        YamlMappingNode map, string prefix, string file, IDictionary<string, ConfigValue> into,
        IReadOnlySet<string>? skipTopLevel = null)
    {
        // Merged mappings first, so that the mapping's own keys override them. In `<<: [*a, *b]`, *a wins.
        foreach (var (key, value) in map.Children)
        {
            if (!IsMerge(key)) continue;
            var sources = value is YamlSequenceNode seq ? seq.Children.Reverse().ToList() : [value];
            foreach (var source in sources)
            {
                if (source is not YamlMappingNode merged)
                    throw new ConfigException(Origin.InFile(file, source.Start), Join(prefix, MergeKey),
                        $"a merge key needs a mapping (such as *defaults), got {YamlText.Describe(source)}");
                Flatten(merged, prefix, file, into, skipTopLevel);
            }
        }

        foreach (var (keyNode, value) in map.Children)
        {
            if (IsMerge(keyNode)) continue;
            if (keyNode is not YamlScalarNode { Value: { } name })
                throw new ConfigException(Origin.InFile(file, keyNode.Start), prefix.Length > 0 ? prefix : YamlText.Flow(keyNode),
                    "keys must be plain names");
            if (skipTopLevel is not null && prefix.Length == 0 && skipTopLevel.Contains(name)) continue;
            var key = Join(prefix, name);
            if (value is YamlMappingNode nested)
                Flatten(nested, key, file, into);
            else
                into[key] = ConfigValue.InFile(value, file);
        }
    }

    private static bool IsMerge(YamlNode key) => key is YamlScalarNode { Value: MergeKey };

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;
}
