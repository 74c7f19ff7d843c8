using CommandLine;

namespace LoE.Host.Cli;

[Verb("list", HelpText = "List the experiments of a file and their runs (checks every configuration).")]
public sealed class ListOptions
{
    [Value(0, MetaName = "FILE", Required = true, HelpText = "Experiments file, e.g. experiments.yaml.")]
    public string File { get; set; } = "";

    [Option('e', "experiment", HelpText = "Only this experiment.")]
    public string? Experiment { get; set; }

    [Option("set", HelpText = "Override a key, as for run.")]
    public IEnumerable<string> Set { get; set; } = [];
}
