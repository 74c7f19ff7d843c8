using CommandLine;

namespace LoE.Host.Cli;

[Verb("layouts", HelpText = "Draw each layout of an experiment: per position-dependent layer, every pixel coloured by its nearest expert (Table 5's Visualization column).")]
public sealed class LayoutsOptions
{
    [Value(0, MetaName = "FILE", Required = true, HelpText = "Experiments file, e.g. experiments.yaml.")]
    public string File { get; set; } = "";

    [Option('e', "experiment", Required = true, HelpText = "Name of the experiment.")]
    public string Experiment { get; set; } = "";

    [Option("size", Default = 128, HelpText = "Pixels per side of each layer's panel.")]
    public int Size { get; set; } = 128;

    [Option('o', "out", Default = "runs", HelpText = "Output folder; pictures go to OUT/EXPERIMENT/layouts/.")]
    public string Out { get; set; } = "runs";

    [Option("set", HelpText = "Override a key, as for run.")]
    public IEnumerable<string> Set { get; set; } = [];
}
