namespace LoE.Host.Running.Slurm;

/// <summary>What the job-array script asks Slurm for; null leaves the cluster's default.</summary>
public sealed record SlurmOptions(string? Partition, string? Time, int CpusPerTask);
