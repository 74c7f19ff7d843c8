namespace LoE.Core.Nerf

open LoE.Core

/// Volume rendering by alpha compositing (NeRF's eq. 3): what a ray's samples make of its colour.
module Render =
    /// A rendered batch of rays: colours [rays; 3], the samples' weights [rays; samples] and each ray's opacity
    /// (the sum of its weights) [rays].
    type Rendered<'T> = { Colours: 'T; Weights: 'T; Opacity: 'T }

    /// Distance to the next sample [rays; samples] in the model's precision; the last sample's interval reaches
    /// 1e10 (NeRF), so a ray that gets that far is absorbed by it.
    let intervals (b: Backend<'T>) (t: 'T) : 'T =
        let shape = b.shape t
        let rays, samples = shape.[0], shape.[1]
        let last = b.fill 1e10 [| rays; 1 |]
        if samples = 1 then last
        else b.concatLast [ b.precision (b.sub (b.narrowLast 1 (samples - 1) t) (b.narrowLast 0 (samples - 1) t)); last ]

    /// Composites densities σ ≥ 0 [rays; samples] and colours [rays · samples; 3] at distances t (float64) over a
    /// background colour: alpha_i = 1 − exp(−σ_i δ_i), T_i = exp(−Σ_{j<i} σ_j δ_j), w_i = T_i alpha_i,
    /// C = Σ w_i c_i + (1 − Σ w_i) background. The exclusive sum is a cumulative sum of the first samples - 1 terms
    /// (not the inclusive sum minus the last term, which would cancel catastrophically against the 1e10 interval).
    let composite (b: Backend<'T>) (background: float[]) (sigma: 'T) (colours: 'T) (t: 'T) : Rendered<'T> =
        let shape = b.shape sigma
        let rays, samples = shape.[0], shape.[1]
        let optical = b.mul sigma (intervals b t)
        let before =
            if samples = 1 then b.fill 0.0 [| rays; 1 |]
            else b.concatLast [ b.fill 0.0 [| rays; 1 |]; b.cumsumLast (b.narrowLast 0 (samples - 1) optical) ]
        let alpha = b.addScalar 1.0 (b.scale -1.0 (b.exp (b.scale -1.0 optical)))
        let weights = b.mul (b.exp (b.scale -1.0 before)) alpha
        let channel c = b.reshape [| rays; 1 |] (b.sumLast (b.mul weights (b.reshape [| rays; samples |] (b.narrowLast c 1 colours))))
        let opacity = b.sumLast weights
        let colour = b.concatLast [ channel 0; channel 1; channel 2 ]
        let rest = b.addScalar 1.0 (b.scale -1.0 (b.reshape [| rays; 1 |] opacity))
        { Colours = b.add colour (b.mul rest (b.tensor background [| 1; 3 |])); Weights = weights; Opacity = opacity }
