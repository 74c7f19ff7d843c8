namespace LoE.Host.Running.Slurm;

/// <summary>The scripts written, and the job ids when they were submitted (null with --dry-run or without sbatch).</summary>
public sealed record SlurmSubmission(string ArrayScript, string ReportScript, string? ArrayJobId, string? ReportJobId);
