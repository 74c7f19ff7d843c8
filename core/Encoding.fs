namespace LoE.Core

/// Input mappings of coordinates.
module Encoding =
    /// Width of the positional encoding of d-dimensional coordinates with L frequencies.
    let peWidth (dims: int) (frequencies: int) = dims + 2 * dims * frequencies

    /// Positional encoding (NeRF, with the raw coordinate kept as in its published code):
    /// gamma(p) = (p, sin(2^0 pi p), cos(2^0 pi p), ..., sin(2^(L-1) pi p), cos(2^(L-1) pi p)).
    /// Computed on the CPU in float64 since coordinates are data, not parameters.
    let positional (dims: int) (frequencies: int) (coords: float[]) : float[] =
        let n = coords.Length / dims
        let w = peWidth dims frequencies
        let out = Array.zeroCreate (n * w)
        for j in 0 .. n - 1 do
            let row = j * w
            for i in 0 .. dims - 1 do
                let p = coords.[j * dims + i]
                out.[row + i] <- p
                for l in 0 .. frequencies - 1 do
                    let a = (2.0 ** float l) * System.Math.PI * p
                    out.[row + dims + 2 * (l * dims + i)] <- sin a
                    out.[row + dims + 2 * (l * dims + i) + 1] <- cos a
        out
