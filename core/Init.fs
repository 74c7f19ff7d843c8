namespace LoE.Core

open System

/// Initialisers: plain functions of an explicit seeded generator, producing row-major float64 data, so every
/// backend starts from the same numbers.
module Init =
    /// The uniform variant of Kaiming initialisation (He et al. 2015) for a LeakyReLU of the given slope:
    /// U(-bound, bound) with bound = gain * sqrt(3 / fanIn), gain = sqrt(2 / (1 + slope^2)).
    let kaimingUniform (rng: Random) (slope: float) (fanIn: int) (count: int) : float[] =
        let bound = sqrt (2.0 / (1.0 + slope * slope)) * sqrt (3.0 / float fanIn)
        Array.init count (fun _ -> (2.0 * rng.NextDouble() - 1.0) * bound)

    /// SIREN's first layer (Sitzmann et al. 2020): U(-1/fanIn, 1/fanIn), so that sin(omega0 x) spans several
    /// periods over the input range.
    let sirenFirst (rng: Random) (fanIn: int) (count: int) : float[] =
        let bound = 1.0 / float fanIn
        Array.init count (fun _ -> (2.0 * rng.NextDouble() - 1.0) * bound)

    /// SIREN's later layers: U(-sqrt(6/fanIn)/omega0, sqrt(6/fanIn)/omega0), which keeps the pre-activations'
    /// distribution the same from layer to layer.
    let sirenHidden (rng: Random) (omega0: float) (fanIn: int) (count: int) : float[] =
        let bound = sqrt (6.0 / float fanIn) / omega0
        Array.init count (fun _ -> (2.0 * rng.NextDouble() - 1.0) * bound)

    /// torch.nn.Linear's default bias, which SIREN's published code keeps: U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
    let linearBias (rng: Random) (fanIn: int) (count: int) : float[] =
        let bound = 1.0 / sqrt (float fanIn)
        Array.init count (fun _ -> (2.0 * rng.NextDouble() - 1.0) * bound)
