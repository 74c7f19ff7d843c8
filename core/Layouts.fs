namespace LoE.Core

open System

/// Named grid layouts: per-layer affine maps of Table 5 (section A).
module Layouts =
    let names = [| "pe-mlp"; "quad-tree"; "gray-code"; "fine-to-coarse"; "random-permute"; "random-affine" |]

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
