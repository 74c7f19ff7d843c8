namespace LoE.Core

open System

/// Parameters by name: what a model's components own, together.
type Params<'T> = Map<string, 'T>

/// A parameter a component owns: its full name, shape and initialiser. Initialisers draw from the model's one
/// generator in the order the components are composed, so a model's initial values depend on its seed alone.
type Parameter = { Name: string; Shape: int[]; Init: Random -> float[] }

/// A building block of a model: the parameters it owns, and its function of a batch of points, the parameters
/// and its input. Encodings read the batch's points; position-dependent layers route by them; plain layers and
/// activations ignore them. A model is a composition of components and is a component itself.
type Component<'T> =
    { Parameters: Parameter list
      /// Multiply-adds per point of one forward pass (the paper's tables list them beside the parameters).
      MultiplyAdds: int64
      Apply: Batch<'T> -> Params<'T> -> 'T -> 'T }

module Component =
    /// A parameterless, position-independent function of the input (an activation).
    let ofFunction (f: 'T -> 'T) : Component<'T> =
        { Parameters = []; MultiplyAdds = 0L; Apply = fun _ _ x -> f x }

    /// Components applied one after the other.
    let chain (parts: Component<'T> list) : Component<'T> =
        { Parameters = parts |> List.collect (fun c -> c.Parameters)
          MultiplyAdds = parts |> List.sumBy (fun c -> c.MultiplyAdds)
          Apply = fun batch ps x -> parts |> List.fold (fun y c -> c.Apply batch ps y) x }

    /// x + f(x): a residual block around `inner`, whose output width must equal its input width.
    let residual (inner: Component<'T> list) (add: 'T -> 'T -> 'T) : Component<'T> =
        let body = chain inner
        { body with Apply = fun batch ps x -> add x (body.Apply batch ps x) }

    /// Fresh parameters from the seed, drawn in composition order.
    let init (b: Backend<'T>) (c: Component<'T>) (seed: int) : Params<'T> =
        let rng = Random(seed)
        c.Parameters |> List.map (fun p -> p.Name, b.tensor (p.Init rng) p.Shape) |> Map.ofList

    /// Every stored parameter (unused experts included).
    let parameterCount (c: Component<'T>) : int64 =
        c.Parameters |> List.sumBy (fun p -> p.Shape |> Array.fold (fun n d -> n * int64 d) 1L)

    /// The model's output for a batch, starting from the batch's points.
    let forward (c: Component<'T>) (batch: Batch<'T>) (ps: Params<'T>) : 'T = c.Apply batch ps batch.Points
