namespace LoE.Core

/// Losses and image metrics.
module Metrics =
    /// Mean squared error, a scalar tensor.
    let mse (b: Backend<'T>) (prediction: 'T) (target: 'T) : 'T =
        let d = b.sub prediction target
        Backend.mean b (b.mul d d)

    /// PSNR in dB of a mean squared error for signals in [0, 1].
    let psnr (mse: float) = -10.0 * log10 mse
