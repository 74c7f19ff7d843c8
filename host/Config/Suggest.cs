namespace LoE.Host.Config;

/// <summary>"Did you mean ...?" hints from edit distance.</summary>
public static class Suggest
{
    /// <summary>The candidate closest to <paramref name="input"/>, if it is close enough to be a likely typo.</summary>
    public static string? Nearest(string input, IEnumerable<string> candidates)
    {
        var list = candidates.ToList();
        // A dotted key under the wrong group ("train.pe_frequencies") is still recognisable by its last segment.
        var last = LastSegment(input);
        var sameLeaf = list.Where(c => c.Contains('.') && LastSegment(c) == last).ToList();
        if (input.Contains('.') && sameLeaf.Count == 1) return sameLeaf[0];

        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in list)
        {
            var d = Distance(input.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (d < bestDistance) (best, bestDistance) = (candidate, d);
        }
        var allowed = Math.Max(2, input.Length / 3);
        if (best is null || best == input) return null;
        return bestDistance <= allowed ? best : null;
    }

    /// <summary>" (did you mean 'x'?)" or the empty string.</summary>
    public static string Hint(string input, IEnumerable<string> candidates) =>
        Nearest(input, candidates) is { } s ? $" (did you mean '{s}'?)" : "";

    /// <summary>Optimal string alignment distance (Levenshtein plus transpositions).</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        for (var j = 1; j <= b.Length; j++)
        {
            var cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
        }
        return d[a.Length, b.Length];
    }

    private static string LastSegment(string key) => key[(key.LastIndexOf('.') + 1)..];
}
