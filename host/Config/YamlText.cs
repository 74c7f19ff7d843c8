using System.Text;
using YamlDotNet.Core;
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
        return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
    }

    /// <summary>Parses the value of a <c>--set key=value</c> option as a YAML scalar or flow collection.</summary>
    public static YamlNode ParseValue(string text, string option) =>
        text.Trim().Length == 0 ? new YamlScalarNode("") : Parse(text, option) ?? new YamlScalarNode("");

    /// <summary>How a node reads in a message: <c>"fast"</c>, <c>a list</c>, <c>a mapping</c>.</summary>
    public static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode { Value: null or "" } => "nothing",
        YamlScalarNode s => $"\"{s.Value}\"",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => node.NodeType.ToString(),
    };

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

    /// <summary>Remembers where the last successfully parsed event ended.</summary>
    private sealed class TrackingParser(IParser inner) : IParser
    {
        public Mark LastGood { get; private set; } = Mark.Empty;
        public YamlDotNet.Core.Events.ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            if (inner.Current is { } e) LastGood = e.End;
            return inner.MoveNext();
        }
    }

    private static Exception Innermost(Exception e)
    {
        // YamlDotNet wraps the precise message ("found duplicate key") in a generic one.
        while (e.InnerException is YamlException inner) e = inner;
        return e;
    }
}
