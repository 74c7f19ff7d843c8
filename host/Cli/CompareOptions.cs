using CommandLine;

namespace LoE.Host.Cli;

[Verb("compare", HelpText = "Run a few training steps of one run on torch (float64) and on the reference backend, and print where they differ.")]
public sealed class CompareOptions : ExperimentFileOptions
{
    [Option('e', "experiment", Required = true, HelpText = "Experiment whose run to compare.")]
    public string Experiment { get; set; } = "";

    [Option("run-id", HelpText = "Which run (default: the experiment's first).")]
    public string? RunId { get; set; }

    [Option("steps", Default = 3, HelpText = "Training steps on each backend.")]
    public int Steps { get; set; }

    [Option("size", Default = 16, HelpText = "Resize the image to size×size first: the reference backend is slow at full size.")]
    public int Size { get; set; }
}
