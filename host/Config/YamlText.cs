using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace LoE.Host.Config;

/// <summary>Reading YAML into nodes that keep their marks, and describing nodes in messages.</summary>
public static class YamlText
{
    /// <summary>Parses YAML text; syntax errors become a <see cref="ConfigException"/> at the offending mark.</summary>
    public static YamlNode? Parse(string text, string source)
    {
        var stream = new YamlStream();
        var parser = new TrackingParser(new Parser(new StringReader(text)));
        Origin At(Mark mark) =>
            source.StartsWith("--", StringComparison.Ordinal) ? Origin.CommandLine(source) : Origin.InFile(source, mark);
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            var message = Innermost(e).Message.TrimEnd('.');
            if (message.StartsWith("Duplicate key ", StringComparison.Ordinal))
                message = $"duplicate key '{message["Duplicate key ".Length..]}'";
            throw new ConfigException(At(e.Start), null, message, e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner can fail this way on an unclosed flow collection; blame the last good place.
            throw new ConfigException(At(parser.LastGood), null, "invalid YAML after this point (an unclosed '{' or '['?)", e);
        }
        catch (ArgumentException e)
        {
            // YamlDotNet's node loader rejects an event it cannot place (a key with no name: ": value" at a line's
            // start) with an ArgumentException; the event it stopped at is the offending one.
            var mark = parser.Current?.Start ?? parser.LastGood;
            const string message = "invalid YAML here (a key with no name, or a stray ':'?)";
            throw new ConfigException(At(mark), null, message, new YamlException(mark, mark, message, e));
        }
        return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
    }

    /// <summary>Parses the value of a <c>--set key=value</c> option as a YAML scalar or flow collection.</summary>
    public static YamlNode ParseValue(string text, string option) =>
        text.Trim().Length == 0 ? new YamlScalarNode("") : Parse(text, option) ?? new YamlScalarNode("");

    /// <summary>How a node reads in a message: <c>"fast"</c>, <c>a list</c>, <c>a mapping</c>.</summary>
    public static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode { Value: null or "" } => "nothing",
        YamlScalarNode s => $"\"{OneLine(s.Value!)}\"",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => node.NodeType.ToString(),
    };

    /// <summary>A scalar as it reads in a one-line message: a block scalar's line breaks as spaces, at most 60 characters.</summary>
    private static string OneLine(string value)
    {
        var flat = string.Join(" ", value.Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return flat.Length <= 60 ? flat : flat[..57] + "...";
    }

    /// <summary>The value of a scalar node, or null for lists and mappings.</summary>
    public static string? ScalarValue(YamlNode node) => (node as YamlScalarNode)?.Value;

    /// <summary>Writes a node as one line of flow YAML (for sweep values in run names and listings).</summary>
    public static string Flow(YamlNode node)
    {
        var sb = new StringBuilder();
        Write(node, sb);
        return sb.ToString();
    }

    private static void Write(YamlNode node, StringBuilder sb)
    {
        switch (node)
        {
            case YamlScalarNode s:
                sb.Append(Canonical.String(s.Value ?? ""));
                break;
            case YamlSequenceNode seq:
                sb.Append('[');
                for (var i = 0; i < seq.Children.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    Write(seq.Children[i], sb);
                }
                sb.Append(']');
                break;
            case YamlMappingNode map:
                sb.Append('{');
                var first = true;
                foreach (var (k, v) in map.Children)
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    Write(k, sb);
                    sb.Append(": ");
                    Write(v, sb);
                }
                sb.Append('}');
                break;
        }
    }

    /// <summary>
    /// Remembers where the last successfully parsed event ended, and refuses an alias that comes before its anchor's
    /// node is complete: YamlDotNet resolves such forward or self references after loading and recurses without end
    /// on them (a stack overflow, which no handler can catch), where YAML says the anchor must come first.
    /// </summary>
    private sealed class TrackingParser(IParser inner) : IParser
    {
        private readonly HashSet<string> complete = [];
        private readonly Stack<string?> open = new();
        public Mark LastGood { get; private set; } = Mark.Empty;
        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            if (inner.Current is { } e) LastGood = e.End;
            if (!inner.MoveNext()) return false;
            switch (inner.Current)
            {
                case AnchorAlias a when !complete.Contains(a.Value.Value):
                    throw new YamlException(a.Start, a.End, $"the alias *{a.Value} comes before its anchor &{a.Value} is complete");
                case Scalar s when !s.Anchor.IsEmpty:
                    complete.Add(s.Anchor.Value);
                    break;
                case MappingStart m:
                    open.Push(m.Anchor.IsEmpty ? null : m.Anchor.Value);
                    break;
                case SequenceStart q:
                    open.Push(q.Anchor.IsEmpty ? null : q.Anchor.Value);
                    break;
                case MappingEnd or SequenceEnd when open.Count > 0:
                    if (open.Pop() is { } anchor) complete.Add(anchor);
                    break;
            }
            return true;
        }
    }

    private static Exception Innermost(Exception e)
    {
        // YamlDotNet wraps the precise message ("found duplicate key") in a generic one.
        while (e.InnerException is YamlException inner) e = inner;
        return e;
    }
}
