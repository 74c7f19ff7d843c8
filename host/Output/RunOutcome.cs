namespace LoE.Host.Output;

/// <summary>Done: trained now. Skipped: final.json was already there. Failed: diverged or crashed (failed.json). Cancelled: Ctrl-C or SIGTERM.</summary>
public enum RunStatus { Done, Skipped, Failed, Cancelled }

/// <summary>How one run ended; <see cref="Result"/> is set when it was trained by this invocation.</summary>
public sealed record RunOutcome(RunPlan Plan, RunStatus Status, Tasks.RunNumbers? Result, string? Error = null);
