using CommandLine;

namespace LoE.Host.Cli;

[Verb("keys", HelpText = "Every configuration key of experiments.yaml with its default and meaning.")]
public sealed class KeysOptions
{
    [Option("markdown", HelpText = "As the README's Markdown table.")]
    public bool Markdown { get; set; }

    [Option("yaml", HelpText = "As the comment block at the head of experiments.yaml.")]
    public bool Yaml { get; set; }
}
