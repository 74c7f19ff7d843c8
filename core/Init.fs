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
