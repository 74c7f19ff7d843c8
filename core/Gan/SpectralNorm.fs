namespace LoE.Core.Gan

open LoE.Core

/// Spectral normalisation (Miyato et al. 2018) as a pure function: W ↦ W / σ̂, where σ̂ = uᵀ W v estimates W's
/// largest singular value by power iteration on a persistent vector u. u is state, not a parameter: the caller
/// keeps the returned u for the next step (one iteration per step suffices once u has converged, as in the
/// paper and torch's spectral_norm). W is read as a matrix [rows; everything else] (a convolution's output
/// channels against its inputs and kernel), and the gradient flows through σ̂'s W only, with u and v held
/// constant, as the paper's.
module SpectralNorm =
    /// ε in x / (‖x‖ + ε), torch's default: a zero vector stays finite.
    [<Literal>]
    let Epsilon = 1e-12

    let private unit (b: Backend<'T>) (x: 'T) = b.div x (b.addScalar Epsilon (b.sqrt (b.sum (b.mul x x))))

    /// Rows of W as a matrix: its first axis.
    let rows (b: Backend<'T>) (w: 'T) = (b.shape w).[0]

    /// A first u for W: a fixed unit vector (all entries equal), so a model's state depends on its seed alone.
    let initialU (rowCount: int) : float[] = Array.create rowCount (1.0 / sqrt (float rowCount))

    /// σ̂ (a scalar tensor, differentiable in W) and the next u [rows] after `iterations` power iterations from u:
    /// v ← (Wᵀu)/‖Wᵀu‖, u ← (Wv)/‖Wv‖, then σ̂ = uᵀ W v.
    let estimate (b: Backend<'T>) (iterations: int) (w: 'T) (u: 'T) : 'T * 'T =
        let shape = b.shape w
        let r = shape.[0]
        let c = (Array.fold (*) 1 shape) / r
        let m = b.reshape [| r; c |] (b.detach w)
        let mutable uk = b.reshape [| 1; r |] (b.detach u)
        let mutable vk = unit b (b.matmul uk m)
        for _ in 1 .. iterations do
            vk <- unit b (b.matmul uk m)
            uk <- unit b (b.reshape [| 1; r |] (b.matmul m (b.reshape [| c; 1 |] vk)))
        let wv = b.matmul (b.reshape [| r; c |] w) (b.reshape [| c; 1 |] vk)
        b.sum (b.mul (b.reshape [| r; 1 |] uk) wv), b.reshape [| r |] uk

    /// W / σ̂ and the next u.
    let normalise (b: Backend<'T>) (iterations: int) (w: 'T) (u: 'T) : 'T * 'T =
        let sigma, next = estimate b iterations w u
        b.div w sigma, next
