using LoE.Core;
using LoE.Host.Config;

namespace LoE.Host.Output;

public enum RunStatus { Done, Failed, Cancelled }

/// <summary>How one run ended; <see cref="Result"/> is set when it finished.</summary>
public sealed record RunOutcome(RunPlan Plan, RunStatus Status, FitResult? Result, string? Error = null);
