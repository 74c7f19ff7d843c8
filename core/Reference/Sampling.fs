namespace LoE.Core.Reference

/// NeRF's hierarchical sampling in plain .NET: the specification `Backend.inverseCdf` is held to, and the
/// reference backend's implementation.
module Sampling =
    /// Rows of bin edges [n; B+1], non-negative weights [n; B] and uniforms [n; M] -> distances [n; M]. The CDF of
    /// the normalised weights starts at 0; each uniform u finds the first CDF value above it (the bin it falls in)
    /// and is placed linearly inside that bin. An empty bin (CDF step below 1e-12) gives its lower edge; the
    /// fraction is clamped to [0, 1], so a sample never leaves [first edge, last edge].
    let inverseCdf (bins: float[]) (weights: float[]) (u: float[]) (n: int) : float[] =
        let nb = weights.Length / n
        let m = u.Length / n
        let out = Array.zeroCreate u.Length
        let cdf = Array.zeroCreate (nb + 1)
        for r in 0 .. n - 1 do
            let mutable total = 0.0
            for i in 0 .. nb - 1 do total <- total + weights.[r * nb + i]
            cdf.[0] <- 0.0
            for i in 0 .. nb - 1 do cdf.[i + 1] <- cdf.[i] + weights.[r * nb + i] / total
            for j in 0 .. m - 1 do
                let x = u.[r * m + j]
                // First index whose CDF value exceeds x (searchsorted, right), then its bin.
                let mutable above = 0
                while above <= nb && cdf.[above] <= x do above <- above + 1
                let below = min (nb - 1) (max 0 (above - 1))
                let c0, c1 = cdf.[below], cdf.[below + 1]
                let b0, b1 = bins.[r * (nb + 1) + below], bins.[r * (nb + 1) + below + 1]
                let step = c1 - c0
                let frac = if step < 1e-12 then 0.0 else min 1.0 (max 0.0 ((x - c0) / step))
                out.[r * m + j] <- b0 + frac * (b1 - b0)
        out
