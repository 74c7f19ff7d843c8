using CommandLine;

namespace LoE.Host.Cli;

[Verb("bench", HelpText = "Time a full training step of dense, LoE nearest, LoE N-linear and a naive masked loop, side by side.")]
public sealed class BenchOptions
{
    [Option("quick", HelpText = "Tiny sizes and few steps: checks that the benchmark works (CI), measures nothing useful.")]
    public bool Quick { get; set; }

    [Option("full", HelpText = "The paper's coordinate counts (toy 512², image 262144, video 160000).")]
    public bool Full { get; set; }

    [Option("coordinates", HelpText = "Coordinates per step for every shape (overrides the defaults, --full and --quick).")]
    public int? Coordinates { get; set; }

    [Option("shape", HelpText = "Only these shapes: toy, image, video (default: all).")]
    public IEnumerable<string> Shapes { get; set; } = [];

    [Option("steps", HelpText = "Timed steps per variant (median reported).")]
    public int? Steps { get; set; }

    [Option("naive", Default = true, HelpText = "Also time the masked per-expert loop (slow).")]
    public bool? Naive { get; set; }

    [Option("device", Default = "cpu", HelpText = "Device of the torch backend (cpu, cuda).")]
    public string Device { get; set; } = "cpu";

    [Option("threads", HelpText = "CPU threads (default: all processors).")]
    public int? Threads { get; set; }

    [Option("random", HelpText = "Draw new points every step and route them (random-batch training), instead of fixed points.")]
    public bool Random { get; set; }

    [Option("memory-steps", Default = 0, HelpText = "After timing, run this many more steps per variant and print resident memory before and after (flat is right; the issue's check is 1000).")]
    public int MemorySteps { get; set; }

    [Option("out", HelpText = "Also write the table as Markdown to this file.")]
    public string? Out { get; set; }
}
