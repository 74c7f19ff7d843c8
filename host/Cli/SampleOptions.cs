using CommandLine;

namespace LoE.Host.Cli;

[Verb("sample", HelpText = "Draw images from a trained GAN generator (data.images runs) from its run folder (checkpoint.bin + config.yaml).")]
public sealed class SampleOptions : RunFolderOptions
{
    [Option('n', "count", Default = 64, HelpText = "Images to write (sample-NNNNNN.png), and a grid of them (grid.png).")]
    public int Count { get; set; } = 64;

    [Option("seed", Default = 0, HelpText = "Seed of the latents: the same seed gives the same images.")]
    public int Seed { get; set; }

    [Option("interpolate", HelpText = "Also write interpolation.png: N images along the line between the latents of --seed and --seed + 1.")]
    public int? Interpolate { get; set; }

    [Option('o', "out", HelpText = "Output folder (default: RUN_DIR/samples-seedS).")]
    public string? Out { get; set; }
}
