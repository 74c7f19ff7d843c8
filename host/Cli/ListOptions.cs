using CommandLine;

namespace LoE.Host.Cli;

[Verb("list", HelpText = "List the experiments of a file, their runs, and whether each is done, partial, failed or new (checks every configuration).")]
public sealed class ListOptions : ExperimentFileOptions
{
    [Option('e', "experiment", HelpText = "Only this experiment.")]
    public string? Experiment { get; set; }

    [Option('o', "out", Default = "runs", HelpText = "Output folder the run states are read from.")]
    public string Out { get; set; } = "runs";
}
