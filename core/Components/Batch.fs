namespace LoE.Core

open System.Collections.Generic

/// What a batch derives from its points, and everything the value depends on: two components whose settings differ
/// in anything their value depends on never share an entry (keys are compared by value, arrays element by element).
type Derived =
    /// A position-dependent layer's routing.
    | Routing of layer: string * Interpolation * tile: int[] * AffineMap
    /// A coordinate embedding's lattice routing.
    | LatticeRouting of table: string * dims: int * resolution: int
    | Positional of frequencies: int * EncodingRange
    /// NeRF's encoding of world coordinates.
    | World of frequencies: int * centre: float[] * scale: float
    | Raw of EncodingRange
    | Constant

/// The points a model is evaluated at (float64 [Count; Dims] on the backend's device) and what components derive
/// from the points alone (routings, encodings), each derived once per batch under its component's key. A
/// persistent batch (the whole signal, every step) keeps what it derives for as long as it lives; a
/// per-step batch (random samples, NeRF's ray samples) lets the step's scope free it.
type Batch<'T> =
    { Points: 'T
      Count: int
      Dims: int
      Persistent: bool
      Derived: Dictionary<Derived, obj> }

module Batch =
    /// A batch of points already on the device.
    let ofPoints (b: Backend<'T>) (persistent: bool) (points: 'T) : Batch<'T> =
        let shape = b.shape points
        { Points = (if persistent then b.persist points else points); Count = shape.[0]; Dims = shape.[1]
          Persistent = persistent; Derived = Dictionary(HashIdentity.Structural) }

    /// A batch from row-major n × d coordinates made in .NET (sample centres of a grid).
    let create (b: Backend<'T>) (persistent: bool) (dims: int) (coords: float[]) : Batch<'T> =
        ofPoints b persistent (b.points coords [| coords.Length / dims; dims |])

    /// The value derived under `key`, made by `make` on first use.
    let derive (batch: Batch<'T>) (key: Derived) (make: unit -> 'a) : 'a =
        match batch.Derived.TryGetValue key with
        | true, v -> unbox<'a> v
        | _ ->
            let v = make ()
            batch.Derived.[key] <- box v
            v

    /// A derived tensor, kept with the batch when the batch is persistent.
    let deriveTensor (b: Backend<'T>) (batch: Batch<'T>) (key: Derived) (make: unit -> 'T) : 'T =
        derive batch key (fun () -> let t = make () in if batch.Persistent then b.persist t else t)
