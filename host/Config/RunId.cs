using System.Text;

namespace LoE.Host.Config;

/// <summary>Readable, stable run ids: <c>quad-tree-s0-3f2a9c1d</c> (swept values, seed, configuration hash).</summary>
public static class RunId
{
    public static string Make(IReadOnlyList<SweptValue> swept, int seed, string hash)
    {
        var parts = swept.Select(Part).Append($"s{seed}").Append(hash);
        return string.Join("-", parts.Where(p => p.Length > 0));
    }

    private static string Part(SweptValue v)
    {
        // Names read by themselves (quad-tree); numbers and lists need their key (lr0.001, tile2x2).
        var text = v.Text.Trim('"');
        var named = text.Length > 0 && char.IsLetter(text[0]);
        var leaf = v.Key[(v.Key.LastIndexOf('.') + 1)..];
        return Slug(named ? text : leaf + text.Replace(", ", "x"));
    }

    /// <summary>Lower-case letters, digits, '.', '_' and single dashes; at most 40 characters.</summary>
    public static string Slug(string text)
    {
        var sb = new StringBuilder();
        foreach (var c in text.ToLowerInvariant())
        {
            var keep = c is >= 'a' and <= 'z' or >= '0' and <= '9' or '.' or '_';
            if (keep) sb.Append(c);
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
        }
        var slug = sb.ToString().Trim('-');
        return slug.Length > 40 ? slug[..40].TrimEnd('-') : slug;
    }
}
