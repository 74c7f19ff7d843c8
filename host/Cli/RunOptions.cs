using CommandLine;

namespace LoE.Host.Cli;

[Verb("run", HelpText = "Run an experiment: every combination of its swept values and seeds.")]
public sealed class RunOptions
{
    [Value(0, MetaName = "FILE", Required = true, HelpText = "Experiments file, e.g. experiments.yaml.")]
    public string File { get; set; } = "";

    [Option('e', "experiment", Required = true, HelpText = "Name of the experiment to run.")]
    public string Experiment { get; set; } = "";

    [Option('o', "out", Default = "runs", HelpText = "Output folder; runs go to OUT/EXPERIMENT/RUNID/.")]
    public string Out { get; set; } = "runs";

    [Option("set", HelpText = "Override a key for every run: --set train.iterations=100 (value is YAML, e.g. model.tile=[4,4]; seeds=[0,1] replaces the seeds). Repeatable. Paths are relative to FILE's folder.")]
    public IEnumerable<string> Set { get; set; } = [];

    [Option("backend", Default = "torch", HelpText = "Tensor backend.")]
    public string Backend { get; set; } = "torch";

    [Option("device", Default = "cpu", HelpText = "Device of the backend (cpu, cuda).")]
    public string Device { get; set; } = "cpu";

    [Option("threads", HelpText = "CPU threads for the backend (default: all processors).")]
    public int? Threads { get; set; }
}
