using YamlDotNet.Core;

namespace LoE.Host.Config;

/// <summary>Where a configuration value was written: a line and column of a YAML file, or a <c>--set</c> option.</summary>
public sealed record Origin(string Source, int Line, int Column)
{
    /// <summary>True for values given on the command line (<c>--set key=value</c>), which have no line.</summary>
    public bool IsCommandLine => Line == 0;

    public static Origin InFile(string file, Mark mark) => new(file, (int)mark.Line, (int)mark.Column);

    public static Origin CommandLine(string option) => new(option, 0, 0);

    /// <summary>The origin of a part of this value: its own mark in a file, the same option on the command line.</summary>
    public Origin At(Mark mark) => IsCommandLine ? this : this with { Line = (int)mark.Line, Column = (int)mark.Column };

    public override string ToString() => IsCommandLine ? Source : $"{Source}:{Line}:{Column}";
}
