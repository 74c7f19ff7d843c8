namespace LoE.Core.Nerf

open LoE.Core

/// Which coarse weights hierarchical sampling draws from.
type FineWeights =
    /// Every coarse weight, on the strata of [near, far] (this project's reading until scene.fine_weights).
    | All = 0
    /// NeRF's published code (run_nerf.py): bins are the midpoints of consecutive coarse distances
    /// (z_vals_mid), weights the coarse weights without the first and the last (weights[..., 1:-1]).
    | Interior = 1

/// Where along each ray the field is queried: distances t [rays; samples] in float64 on the device, made there
/// from uniforms the device draws (training) or fixed fractions (evaluation), never through .NET arrays.
module Sampling =
    /// How a sampler places its samples in their strata: at random from a seed, or at fixed fractions
    /// (NeRF's deterministic test-time sampling).
    type Jitter =
        | Random of seed: int64
        | Centred

    let private fractions (b: Backend<'T>) (jitter: Jitter) (rays: int) (count: int) =
        match jitter with
        | Random seed -> b.uniform seed [| rays; count |]
        | Centred -> b.points (Array.create (rays * count) 0.5) [| rays; count |]

    /// Stratified samples: [near, far] cut into `count` equal strata, one sample in each, so the samples of a
    /// ray are sorted and sample i lies in [near + i w, near + (i + 1) w).
    let stratified (b: Backend<'T>) (jitter: Jitter) (near: float) (far: float) (rays: int) (count: int) : 'T =
        let w = (far - near) / float count
        let starts = b.points (Array.init count (fun i -> near + float i * w)) [| 1; count |]
        b.add starts (b.scale w (fractions b jitter rays count))

    /// The strata's edges [1; count + 1], the bins hierarchical sampling draws from.
    let edges (b: Backend<'T>) (near: float) (far: float) (count: int) : 'T =
        let w = (far - near) / float count
        b.points (Array.init (count + 1) (fun i -> if i = count then far else near + float i * w)) [| 1; count + 1 |]

    /// Hierarchical samples: `count` distances per ray drawn by the inverse CDF of stratified uniforms from a
    /// piecewise-constant density (the weights plus 1e-5, as NeRF, so an empty ray still samples evenly); merged with
    /// the coarse samples and sorted. Not differentiated. `All`: the coarse weights [rays; strata] on the strata.
    /// `Interior`: NeRF's sample_pdf(z_vals_mid, weights[..., 1:-1]): the strata − 2 interior weights on the bins
    /// between midpoints of consecutive coarse distances (so each interior sample's weight sits on the span around it,
    /// and the two end samples, whose intervals reach past the midpoints, give none). Needs at least 3 coarse samples.
    let hierarchical (b: Backend<'T>) (which: FineWeights) (jitter: Jitter) (near: float) (far: float) (coarse: 'T) (weights: 'T) (count: int) : 'T =
        let shape = b.shape coarse
        let rays, strata = shape.[0], shape.[1]
        let bins, weights =
            match which with
            | FineWeights.Interior ->
                if strata < 3 then invalidArg "coarse" $"interior fine weights need at least 3 coarse samples, got {strata}"
                b.scale 0.5 (b.add (b.narrowLast 0 (strata - 1) coarse) (b.narrowLast 1 (strata - 1) coarse)),
                b.narrowLast 1 (strata - 2) weights
            | _ -> b.add (edges b near far strata) (b.points (Array.zeroCreate rays) [| rays; 1 |]), weights
        // Stratified uniforms in [0, 1): sample j in [j/M, (j+1)/M), which covers the CDF evenly.
        let u = b.add (b.points (Array.init count (fun j -> float j / float count)) [| 1; count |]) (b.scale (1.0 / float count) (fractions b jitter rays count))
        let u = b.add u (b.points (Array.zeroCreate rays) [| rays; 1 |])
        let fine = b.inverseCdf bins (b.addScalar 1e-5 weights) u
        b.sortLast (b.concatLast [ coarse; fine ])

    /// Sample positions [rays · samples; 3] (float64) o + t d of rays [rays; 3] at distances [rays; samples]: the
    /// points a batch is made of.
    let positions (b: Backend<'T>) (origins: 'T) (directions: 'T) (t: 'T) : 'T =
        let shape = b.shape t
        let rays, samples = shape.[0], shape.[1]
        let o = b.reshape [| rays; 1; 3 |] origins
        let d = b.reshape [| rays; 1; 3 |] directions
        b.reshape [| rays * samples; 3 |] (b.add o (b.mul (b.reshape [| rays; samples; 1 |] t) d))

    /// Each ray's row [rays; 3] repeated for its `samples` samples: [rays · samples; 3].
    let perSample (b: Backend<'T>) (samples: int) (rows: 'T) : 'T =
        let rays = (b.shape rows).[0]
        b.reshape [| rays * samples; 3 |] (b.mul (b.reshape [| rays; 1; 3 |] rows) (b.points (Array.create samples 1.0) [| 1; samples; 1 |]))
