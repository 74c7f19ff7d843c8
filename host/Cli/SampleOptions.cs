using CommandLine;

namespace LoE.Host.Cli;

[Verb("sample", HelpText = "Draw images from a trained GAN generator (data.images runs) from its run folder (checkpoint.bin + config.yaml).")]
public sealed class SampleOptions
{
    [Value(0, MetaName = "RUN_DIR", Required = true, HelpText = "A GAN run folder (OUT/EXPERIMENT/RUN_ID) whose checkpoint.bin holds the trained generator.")]
    public string RunDir { get; set; } = "";

    [Option('n', "count", Default = 64, HelpText = "Images to write (sample-NNNNNN.png), and a grid of them (grid.png).")]
    public int Count { get; set; } = 64;

    [Option("seed", Default = 0, HelpText = "Seed of the latents: the same seed gives the same images.")]
    public int Seed { get; set; }

    [Option("interpolate", HelpText = "Also write interpolation.png: N images along the line between the latents of --seed and --seed + 1.")]
    public int? Interpolate { get; set; }

    [Option('o', "out", HelpText = "Output folder (default: RUN_DIR/samples-seedS).")]
    public string? Out { get; set; }

    [Option("backend", Default = "torch", HelpText = "Tensor backend (torch, reference).")]
    public string Backend { get; set; } = "torch";

    [Option("device", Default = "cpu", HelpText = "Device of the backend (cpu, cuda, cuda:1).")]
    public string Device { get; set; } = "cpu";
}
