namespace LoE.Host.Output;

/// <summary>What a run folder holds: finished (final.json for this configuration), failed (failed.json),
/// partial (a checkpoint to continue from) or new (nothing worth keeping).</summary>
public enum RunState { New, Partial, Done, Failed }
