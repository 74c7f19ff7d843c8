using CommandLine;

namespace LoE.Host.Cli;

[Verb("list", HelpText = "List the experiments of a file, their runs, and whether each is done, partial, failed or new (checks every configuration).")]
public sealed class ListOptions
{
    [Value(0, MetaName = "FILE", Required = true, HelpText = "Experiments file, e.g. experiments.yaml.")]
    public string File { get; set; } = "";

    [Option('e', "experiment", HelpText = "Only this experiment.")]
    public string? Experiment { get; set; }

    [Option('o', "out", Default = "runs", HelpText = "Output folder the run states are read from.")]
    public string Out { get; set; } = "runs";

    [Option("set", HelpText = "Override a key, as for run.")]
    public IEnumerable<string> Set { get; set; } = [];
}
