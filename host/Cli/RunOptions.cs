using CommandLine;

namespace LoE.Host.Cli;

[Verb("run", HelpText = "Run an experiment: every combination of its swept values and seeds. Finished runs are skipped, partial runs continue from their checkpoint.")]
public sealed class RunOptions : ExperimentFileOptions
{
    [Option('e', "experiment", Required = true, HelpText = "Name of the experiment to run.")]
    public string Experiment { get; set; } = "";

    [Option('o', "out", Default = "runs", HelpText = "Output folder; runs go to OUT/EXPERIMENT/RUNID/.")]
    public string Out { get; set; } = "runs";


    [Option("run-id", HelpText = "Run only the run with this id (as `loe list` shows it); what each Slurm array task does.")]
    public string? RunId { get; set; }

    [Option("backend", Default = "torch", HelpText = "Tensor backend (torch, reference).")]
    public string Backend { get; set; } = "torch";

    [Option("device", Default = "cpu", HelpText = "Device of the backend (cpu, cuda, cuda:1).")]
    public string Device { get; set; } = "cpu";

    [Option("devices", HelpText = "Comma-separated devices handed out round-robin to concurrent runs, e.g. cuda:0,cuda:1 (default --jobs: one run per device).")]
    public string? Devices { get; set; }

    [Option('j', "jobs", HelpText = "Runs at once on this machine; the CPU threads are split between them (default 1, or the number of --devices).")]
    public int? Jobs { get; set; }

    [Option("threads", HelpText = "CPU threads in all (default: all processors); each of --jobs runs gets threads / jobs.")]
    public int? Threads { get; set; }

    [Option("executor", Default = "local", HelpText = "local: run here. slurm: write an sbatch job array (one task per run) into OUT/EXPERIMENT/slurm/ and submit it.")]
    public string Executor { get; set; } = "local";

    [Option("dry-run", HelpText = "With --executor slurm: write the scripts, do not submit them.")]
    public bool DryRun { get; set; }

    [Option("slurm-partition", HelpText = "Slurm partition (default: the cluster's).")]
    public string? SlurmPartition { get; set; }

    [Option("slurm-time", HelpText = "Slurm time limit per run, e.g. 2:00:00 (default: the partition's).")]
    public string? SlurmTime { get; set; }

    [Option("slurm-cpus", HelpText = "CPUs per array task (each run's thread count; default: the experiment's threads, or 2).")]
    public int? SlurmCpus { get; set; }
}
