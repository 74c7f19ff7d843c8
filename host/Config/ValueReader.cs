using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace LoE.Host.Config;

/// <summary>Reads typed values out of raw YAML values, with messages that say what was expected and what was found.</summary>
public static class ValueReader
{
    public static ConfigException Error(string key, ConfigValue v, string detail) => new(v.Origin, key, detail);

    public static string Scalar(string key, ConfigValue v, string expected)
    {
        if (v.Node is YamlScalarNode { Value: { Length: > 0 } s }) return s;
        throw Error(key, v, $"expected {expected}, got {YamlText.Describe(v.Node)}");
    }

    public static string Text(string key, ConfigValue v) => Scalar(key, v, "a text value");

    public static bool Bool(string key, ConfigValue v) => Scalar(key, v, "true or false") switch
    {
        "true" => true,
        "false" => false,
        var s => throw Error(key, v, $"expected true or false, got \"{s}\""),
    };

    public static int Int(string key, ConfigValue v, int min = int.MinValue, int max = int.MaxValue)
    {
        var s = Scalar(key, v, "an integer");
        if (!int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var x))
        {
            var isNumber = double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d);
            // 1e4 is a fine way to write 10000.
            if (isNumber && d == Math.Floor(d) && d >= int.MinValue && d <= int.MaxValue) x = (int)d;
            else if (isNumber && d == Math.Floor(d) && d > max) throw Error(key, v, $"must be at most {max}, got {s}");
            else if (isNumber && d == Math.Floor(d) && d < min) throw Error(key, v, $"must be at least {min}, got {s}");
            else throw Error(key, v, $"expected an integer, got \"{s}\"");
        }
        if (x < min) throw Error(key, v, $"must be at least {min}, got {x}");
        if (x > max) throw Error(key, v, $"must be at most {max}, got {x}");
        return x;
    }

    /// <summary>A finite number; <paramref name="above"/> and <paramref name="below"/> are exclusive bounds, <paramref name="atLeast"/> and <paramref name="atMost"/> inclusive.</summary>
    public static double Number(string key, ConfigValue v, double? above = null, double? atLeast = null, double? below = null, double? atMost = null)
    {
        var s = Scalar(key, v, "a number");
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) || !double.IsFinite(x))
            throw Error(key, v, $"expected a number, got \"{s}\"");
        if (above is { } a && !(x > a)) throw Error(key, v, $"must be greater than {Canonical.Number(a)}, got {s}");
        if (atLeast is { } l && !(x >= l)) throw Error(key, v, $"must be at least {Canonical.Number(l)}, got {s}");
        if (below is { } b && !(x < b)) throw Error(key, v, $"must be less than {Canonical.Number(b)}, got {s}");
        if (atMost is { } m && !(x <= m)) throw Error(key, v, $"must be at most {Canonical.Number(m)}, got {s}");
        return x;
    }

    public static IReadOnlyList<ConfigValue> List(string key, ConfigValue v, string ofWhat, int minCount = 0, int maxCount = int.MaxValue)
    {
        if (v.Node is not YamlSequenceNode seq)
            throw Error(key, v, $"expected a list of {ofWhat}, got {YamlText.Describe(v.Node)}");
        var n = seq.Children.Count;
        if (n < minCount)
            throw Error(key, v, n == 0 ? $"expected a non-empty list of {ofWhat}" : $"expected at least {minCount} {ofWhat}, got {n}");
        if (n > maxCount) throw Error(key, v, $"expected at most {maxCount} {ofWhat}, got {n}");
        return seq.Children.Select(v.Child).ToList();
    }

    public static int[] IntList(string key, ConfigValue v, int entryMin, int minCount = 0, int maxCount = int.MaxValue, int entryMax = int.MaxValue) =>
        List(key, v, "integers", minCount, maxCount).Select((e, i) => Int($"{key}[{i}]", e, entryMin, entryMax)).ToArray();

    public static double[] NumberList(string key, ConfigValue v, int count) =>
        ExactList(key, v, "numbers", count).Select((e, i) => Number($"{key}[{i}]", e)).ToArray();

    public static IReadOnlyList<ConfigValue> ExactList(string key, ConfigValue v, string ofWhat, int count)
    {
        var items = List(key, v, ofWhat);
        if (items.Count != count) throw Error(key, v, $"expected {count} {ofWhat}, got {items.Count}");
        return items;
    }

    /// <summary>One of a fixed set of names; suggests the nearest on a typo.</summary>
    public static string OneOf(string key, ConfigValue v, string what, IReadOnlyCollection<string> names)
    {
        var s = Scalar(key, v, what);
        if (names.Contains(s)) return s;
        throw Error(key, v, $"unknown {what} '{s}'{Suggest.Hint(s, names)}; expected one of {string.Join(", ", names)}");
    }
}
