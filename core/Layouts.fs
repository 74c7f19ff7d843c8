namespace LoE.Core

open System

/// Named grid layouts: per-layer affine maps of Table 5 (section A) and Table 6 (section B).
module Layouts =
    let names = [| "pe-mlp"; "quad-tree"; "gray-code"; "gray-code-exact"; "fine-to-coarse"; "random-permute"; "random-affine" |]

    /// Table 6's layouts, whose scale follows the signal's size in samples (see `sized`).
    let sizedNames = [| "interleaved"; "chunked"; "coarse-to-fine" |]

    /// A = s I, b = offset in every dimension.
    let scaled (dims: int) (s: float) (offset: float) : AffineMap =
        { A = Array2D.init dims dims (fun r c -> if r = c then s else 0.0); B = Array.create dims offset }

    /// Table 5's random permutation of the exponents, arr[i] for layer i = 1..9.
    let private permutation = [| 3; 8; 1; 9; 6; 2; 5; 4; 7 |]

    /// A standard normal sample from a seeded generator (Box-Muller), so layouts depend only on the seed.
    let private normal (rng: Random) =
        let u1 = 1.0 - rng.NextDouble()
        sqrt (-2.0 * log u1) * cos (2.0 * Math.PI * rng.NextDouble())

    /// The affine maps of a named layout for `layers` position-dependent layers (i = 1..layers) in `dims`
    /// dimensions. `randomStd` is the standard deviation of random-affine entries (16 in Table 5).
    let preset (name: string) (layers: int) (dims: int) (randomStd: float) (seed: int) : AffineMap[] =
        let each f = Array.init layers (fun l -> f (l + 1))
        match name with
        | "pe-mlp" -> each (fun _ -> scaled dims 0.0 0.0)
        | "quad-tree" -> each (fun i -> scaled dims (2.0 ** float i) 0.0)
        | "gray-code" -> each (fun i -> scaled dims (if i = 1 then 2.0 else 2.0 ** float (i - 1)) 0.5)
        // Table 5 read literally makes layers 1 and 2 the same map (A = 2I, b = 0.5). The Gray code of the
        // quad-tree's bits has b = 0 on layer 1 (its top bit is the binary top bit, floor(2p)); bit k below it
        // is floor(2^k p + 1/2) mod 2, which is layer k + 1's A = 2^k I, b = 0.5.
        | "gray-code-exact" -> each (fun i -> scaled dims (if i = 1 then 2.0 else 2.0 ** float (i - 1)) (if i = 1 then 0.0 else 0.5))
        | "fine-to-coarse" -> each (fun i -> scaled dims (2.0 ** float (layers + 1 - i)) 0.0)
        | "random-permute" ->
            if layers > permutation.Length then
                invalidArg "layers" $"random-permute is defined for at most {permutation.Length} layers"
            each (fun i -> scaled dims (2.0 ** float permutation.[i - 1]) 0.0)
        | "random-affine" ->
            let rng = Random(seed)
            each (fun _ ->
                let a = Array2D.init dims dims (fun _ _ -> randomStd * normal rng)
                { A = a; B = Array.init dims (fun _ -> rng.NextDouble()) })
        | _ -> invalidArg "name" $"unknown layout '{name}'"

    /// A = diag(s), b = 0.
    let diagonal (s: float[]) : AffineMap =
        let d = s.Length
        { A = Array2D.init d d (fun r c -> if r = c then s.[r] else 0.0); B = Array.zeroCreate d }

    /// Table 6's coarse-to-fine scale of layer i (1-based): 4 for i = 1, 4^(i-1)·2 after.
    let coarseToFineScale (i: int) = if i = 1 then 4.0 else 4.0 ** float (i - 1) * 2.0

    /// The layouts of Table 6 for a signal of `size` samples per dimension (an image: [width; height]), plus
    /// every `preset`. With a tile of t and A = s I the expert grid has s cells per unit, so a scale above the
    /// side in samples would make the grid pitch finer than the pixel pitch (Table 6's †): scales are capped
    /// at the side, per dimension. "interleaved" is that cap everywhere (8192 I at 8192², a new expert every
    /// pixel), "chunked" is 4 I, "coarse-to-fine" is 4 I then 4^(i-1)·2 I, capped ("Constant Input", "Ours").
    let sized (name: string) (layers: int) (dims: int) (randomStd: float) (seed: int) (size: int[]) : AffineMap[] =
        if size.Length <> dims then invalidArg "size" $"the signal has {size.Length} dimensions, the layout {dims}"
        let capped (s: float) = size |> Array.map (fun side -> min s (float side)) |> diagonal
        match name with
        | "interleaved" -> Array.init layers (fun _ -> capped infinity)
        | "chunked" -> Array.init layers (fun _ -> capped 4.0)
        | "coarse-to-fine" -> Array.init layers (fun l -> capped (coarseToFineScale (l + 1)))
        | _ -> preset name layers dims randomStd seed

    /// A = s_i I, b = 0 per layer (section C: grid resolutions 2, 8, 32, 128, 512).
    let scales (dims: int) (s: float[]) : AffineMap[] = s |> Array.map (fun x -> scaled dims x 0.0)
