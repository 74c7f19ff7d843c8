using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LoE.Host.Config;

/// <summary>
/// One spelling per value (0.005 and 5e-3 read the same), so that the resolved configuration text, and with it
/// the run id hash, does not depend on how a value was typed.
/// </summary>
public static partial class Canonical
{
    public static string Format(object? value) => value switch
    {
        null => "null",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => Number(d),
        float f => Number(f),
        bool b => b ? "true" : "false",
        string s => String(s),
        int[] xs => "[" + string.Join(", ", xs.Select(x => x.ToString(CultureInfo.InvariantCulture))) + "]",
        double[] xs => "[" + string.Join(", ", xs.Select(Number)) + "]",
        int[][] xss => "[" + string.Join(", ", xss.Select(Format)) + "]",
        AffineMap[] maps => "[" + string.Join(", ", maps.Select(Affine)) + "]",
        _ => throw new ArgumentException($"no canonical form for {value.GetType().Name}"),
    };

    /// <summary>Shortest round-trip spelling, always readable back as a float by YAML and by us.</summary>
    public static string Number(double d)
    {
        var s = d.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e");
        return s.Contains('.') || s.Contains('e') || s.Contains("Infinity") || s == "NaN" ? s : s + ".0";
    }

    /// <summary>A plain scalar when YAML would read it back as the same string, else double-quoted.</summary>
    public static string String(string s)
    {
        if (s.Length > 0 && PlainSafe().IsMatch(s) && !LooksTyped(s)) return s;
        var sb = new StringBuilder("\"");
        foreach (var c in s)
            sb.Append(c switch { '"' => "\\\"", '\\' => "\\\\", '\n' => "\\n", '\t' => "\\t", _ => c.ToString() });
        return sb.Append('"').ToString();
    }

    private static string Affine(AffineMap m)
    {
        var d = m.A.GetLength(0);
        var rows = Enumerable.Range(0, d)
            .Select(r => "[" + string.Join(", ", Enumerable.Range(0, m.A.GetLength(1)).Select(c => Number(m.A[r, c]))) + "]");
        return "{A: [" + string.Join(", ", rows) + "], b: " + Format(m.B) + "}";
    }

    // Strings that YAML would read as something else (numbers, booleans, null) must stay quoted.
    private static bool LooksTyped(string s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
        || s is "true" or "false" or "null" or "~" or "yes" or "no" or "on" or "off"
        || s.StartsWith('.');

    [GeneratedRegex(@"^[A-Za-z0-9_./+][A-Za-z0-9_./+\-]*$")]
    private static partial Regex PlainSafe();
}
