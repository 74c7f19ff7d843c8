using System.Text;

namespace LoE.Host.Output;

/// <summary>A table of strings, rendered as aligned Markdown (readable both in a terminal and in a .md file), or as CSV.</summary>
public sealed record TextTable(IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    /// <summary>Columns whose cells all look numeric are right-aligned.</summary>
    public string ToMarkdown()
    {
        var widths = Headers.Select((h, i) => Rows.Select(r => r[i].Length).Append(h.Length).Append(3).Max()).ToArray();
        var numeric = Headers.Select((_, i) => Rows.Count > 0 && Rows.All(r => IsNumber(r[i]))).ToArray();
        var sb = new StringBuilder();
        Line(Headers);
        sb.Append('|');
        for (var i = 0; i < Headers.Count; i++)
            sb.Append(' ').Append(numeric[i] ? new string('-', widths[i] - 1) + ":" : new string('-', widths[i])).Append(" |");
        sb.Append('\n');
        foreach (var row in Rows) Line(row);
        return sb.ToString();

        void Line(IReadOnlyList<string> cells)
        {
            sb.Append('|');
            for (var i = 0; i < cells.Count; i++)
            {
                var cell = cells[i].Replace("|", "\\|");
                sb.Append(' ').Append(numeric[i] ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i])).Append(" |");
            }
            sb.Append('\n');
        }
    }

    /// <summary>Plain aligned columns without Markdown bars (for listings).</summary>
    public string ToPlain(string indent = "")
    {
        var widths = Headers.Select((h, i) => Rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var sb = new StringBuilder();
        foreach (var row in Rows.Prepend(Headers))
            sb.Append(indent).Append(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd()).Append('\n');
        return sb.ToString();
    }

    public string ToCsv()
    {
        var sb = new StringBuilder();
        foreach (var row in Rows.Prepend(Headers))
            sb.Append(string.Join(",", row.Select(Quote))).Append('\n');
        return sb.ToString();
    }

    private static string Quote(string cell) =>
        cell.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + cell.Replace("\"", "\"\"") + "\"" : cell;

    private static bool IsNumber(string s) =>
        s.Length == 0 || double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);
}
