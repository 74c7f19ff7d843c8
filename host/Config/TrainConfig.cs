namespace LoE.Host.Config;

/// <summary><c>train</c>: iterations, Adam and its schedule, sampling, logging and checkpoints.</summary>
public sealed record TrainConfig
{
    [Key("training iterations", Required = true, Min = 1, Max = Limits.Iterations)]
    public int Iterations { get; init; }

    [Key("Adam learning rate", Required = true, Above = 0)]
    public double Lr { get; init; }

    [Key("iterations after which the learning rate is multiplied by train.lr_decay_factor", Min = 1, MaxCount = Limits.DecaySteps)]
    public int[] LrDecayAt { get; init; } = [];

    [Key("learning-rate multiplier at each train.lr_decay_at", Above = 0)]
    public double LrDecayFactor { get; init; } = 0.1;

    [Key("Adam β1", Min = 0, Below = 1)]
    public double Beta1 { get; init; } = 0.9;

    [Key("Adam β2", Min = 0, Below = 1)]
    public double Beta2 { get; init; } = 0.999;

    [Key("Adam ε", Above = 0)]
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Adam's β1, β2 and ε, as every task's training takes them.</summary>
    public LoE.Core.Adam Adam => new(Beta1, Beta2, Epsilon);

    [Key("samples drawn at random per iteration, reproducibly from (seed, iteration) (0: the whole signal every iteration)",
        Min = 0, Max = Limits.BatchSize, QuietAtDefault = true)]
    public int BatchSize { get; init; }

    [Key("record metrics every this many iterations", Min = 1)]
    public int LogEvery { get; init; } = 100;

    // Where a run saves its state changes nothing it computes, so it stays out of the run id.
    [Key("write checkpoint.bin every this many iterations (0: never); not part of the run id, since it changes no result",
        Min = 0, InHash = false)]
    public int CheckpointEvery { get; init; } = 500;

    [Key("the run's seed: one run per entry of the experiment's seeds list", Derived = true)]
    public int Seed { get; init; }
}
