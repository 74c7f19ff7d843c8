using YamlDotNet.RepresentationModel;

namespace LoE.Host.Config;

/// <summary>A raw value from the experiments file or the command line, with where it was written.</summary>
public sealed record ConfigValue(YamlNode Node, Origin Origin)
{
    /// <summary>A part of this value (a list element, a mapping entry), located at its own mark.</summary>
    public ConfigValue Child(YamlNode node) => new(node, Origin.At(node.Start));

    public static ConfigValue InFile(YamlNode node, string file) => new(node, Origin.InFile(file, node.Start));
}
