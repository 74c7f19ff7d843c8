using CommandLine;

namespace LoE.Host.Cli;

/// <summary>What the verbs that read an experiments file share: the file, and --set overrides.</summary>
public abstract class ExperimentFileOptions
{
    [Value(0, MetaName = "FILE", Required = true, HelpText = "Experiments file, e.g. experiments.yaml.")]
    public string File { get; set; } = "";

    [Option("set", HelpText = "Override a key for every run: --set train.iterations=100 (value is YAML, e.g. model.tile=[4,4]; seeds=[0,1] replaces the seeds). Repeatable. Paths are relative to FILE's folder.")]
    public IEnumerable<string> Set { get; set; } = [];
}

/// <summary>What the verbs that draw from a trained run share: its folder, and the backend that draws.</summary>
public abstract class RunFolderOptions
{
    [Value(0, MetaName = "RUN_DIR", Required = true, HelpText = "A run folder (OUT/EXPERIMENT/RUN_ID) whose checkpoint.bin holds the trained parameters.")]
    public string RunDir { get; set; } = "";

    [Option("backend", Default = "torch", HelpText = "Tensor backend (torch, reference).")]
    public string Backend { get; set; } = "torch";

    [Option("device", Default = "cpu", HelpText = "Device of the backend (cpu, cuda, cuda:1).")]
    public string Device { get; set; } = "cpu";
}
