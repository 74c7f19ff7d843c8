namespace LoE.Core

/// Input mappings of points: what the first layer sees. Each reads its input as points [n; d] (float64); applied
/// to the batch's own points, the result is derived once per batch.
module Encodings =
    let private isBatchPoints (batch: Batch<'T>) (x: 'T) = obj.ReferenceEquals(box x, box batch.Points)

    /// Points p as the encoding sees them: p itself, or 2p − 1 (float64, before any rounding to the model's
    /// precision).
    let private ranged (b: Backend<'T>) (range: EncodingRange) (x: 'T) =
        if range = EncodingRange.Symmetric then b.addScalar -1.0 (b.scale 2.0 x) else x

    /// An encoding f of points, derived once per batch when applied to the batch's own points.
    let private ofPoints (b: Backend<'T>) (key: Derived) (f: 'T -> 'T) : Component<'T> =
        { Parameters = []; MultiplyAdds = 0L
          Apply = fun batch _ x -> if isBatchPoints batch x then Batch.deriveTensor b batch key (fun () -> f x) else f x }

    /// Positional encoding with L frequencies (Encoding.positional) of p or 2p − 1, width d + 2dL.
    let positional (b: Backend<'T>) (range: EncodingRange) (frequencies: int) : Component<'T> =
        ofPoints b (Positional(frequencies, range)) (ranged b range >> b.positional frequencies)

    /// NeRF's published encoding of world coordinates (run_nerf_helpers.py's Embedder: include_input, log-sampled
    /// frequencies 2^0 .. 2^(L−1), no π): x = (p − 0.5)/scale + centre, then (x, sin(2^l x), cos(2^l x)) for l < L,
    /// width d + 2dL. The sines and cosines are ordered as Encoding.positional orders them (per frequency, per axis,
    /// sine then cosine), a permutation of NeRF's columns that a dense first layer does not see.
    let world (b: Backend<'T>) (centre: float[]) (scale: float) (frequencies: int) : Component<'T> =
        let d = centre.Length
        ofPoints b (World(frequencies, centre, scale)) (fun p ->
            let x = b.add (b.scale (1.0 / scale) (b.addScalar -0.5 p)) (b.points centre [| 1; d |])
            if frequencies = 0 then b.precision x
            else b.concatLast [ b.precision x; b.narrowLast d (2 * d * frequencies) (b.positional frequencies (b.scale (1.0 / System.Math.PI) x)) ])

    /// The raw coordinate p or 2p − 1 in the model's precision (SIREN).
    let raw (b: Backend<'T>) (range: EncodingRange) : Component<'T> =
        ofPoints b (Raw range) (ranged b range >> b.precision)

    /// A constant 1 for every point: position enters only through the weights ("Constant Input (no PE)").
    let constant (b: Backend<'T>) : Component<'T> =
        { Parameters = []; MultiplyAdds = 0L
          Apply = fun batch _ x ->
              let n = (b.shape x).[0]
              if isBatchPoints batch x then Batch.deriveTensor b batch Constant (fun () -> b.fill 1.0 [| n; 1 |]) else b.fill 1.0 [| n; 1 |] }

    /// The learnable coordinate embedding of "PE + CE": a table [resolution^d; channels] on a lattice spanning
    /// [0, 1]^d (Grid.lattice), N-linearly interpolated at the batch's points and concatenated after the input.
    /// Starts at zero.
    let lattice (b: Backend<'T>) (name: string) (dims: int) (channels: int) (resolution: int) : Component<'T> =
        let cells = pown resolution dims
        { Parameters = [ { Name = name; Shape = [| cells; channels |]; Init = fun _ -> Array.zeroCreate (cells * channels) } ]
          MultiplyAdds = 0L
          Apply = fun batch ps x ->
              let routing = Batch.derive batch (LatticeRouting(name, dims, resolution)) (fun () -> b.lattice resolution batch.Persistent batch.Points)
              b.concatLast [ x; b.interpolate routing ps.[name] ] }
