namespace LoE.Host.Config;

/// <summary>A <c>--set key=value</c> option: the value is YAML (a scalar or a flow list such as <c>[4,4]</c>).</summary>
public sealed record Override(string Key, ConfigValue Value)
{
    /// <summary>Not a configuration key: <c>--set seeds=[0,1,2]</c> replaces the experiment's seeds.</summary>
    public const string SeedsKey = "seeds";

    /// <summary>Parses <c>key=value</c> options; unknown keys fail here, with a suggestion.</summary>
    public static IReadOnlyList<Override> Parse(IEnumerable<string> options)
    {
        var list = new List<Override>();
        foreach (var option in options)
        {
            var eq = option.IndexOf('=');
            if (eq <= 0)
                throw new ConfigException(Origin.CommandLine($"--set {option}"), null, "expected key=value, e.g. --set train.lr=0.001");
            var key = option[..eq].Trim();
            var origin = Origin.CommandLine($"--set {key}");
            var node = YamlText.ParseValue(option[(eq + 1)..], $"--set {key}");
            if (key == Schema.SeedKey)
                throw new ConfigException(origin, key, "seeds are chosen with --set seeds=[0,1,...]");
            if (key != SeedsKey && !Schema.KeyNames.Contains(key))
                throw new ConfigException(origin, key, $"unknown key '{key}'{Suggest.Hint(key, Schema.KeyNames.Append(SeedsKey))}");
            list.RemoveAll(o => o.Key == key); // the last --set of a key wins
            list.Add(new Override(key, new ConfigValue(node, origin)));
        }
        return list;
    }
}
