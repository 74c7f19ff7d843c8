using CommandLine;

namespace LoE.Host.Cli;

[Verb("layouts", HelpText = "Draw each layout of an experiment: per position-dependent layer, every pixel coloured by its nearest expert (Table 5's Visualization column).")]
public sealed class LayoutsOptions : ExperimentFileOptions
{
    [Option('e', "experiment", Required = true, HelpText = "Name of the experiment.")]
    public string Experiment { get; set; } = "";

    [Option("size", Default = 128, HelpText = "Pixels per side of each layer's panel.")]
    public int Size { get; set; } = 128;

    [Option('o', "out", Default = "runs", HelpText = "Output folder; pictures go to OUT/EXPERIMENT/layouts/.")]
    public string Out { get; set; } = "runs";
}
