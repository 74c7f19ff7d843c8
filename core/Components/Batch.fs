namespace LoE.Core

open System.Collections.Generic

/// The points a model is evaluated at (float64 [Count; Dims] on the backend's device) and what components derive
/// from the points alone (routings, encodings), each derived once per batch under its component's key. A
/// persistent batch (the whole signal, every step) keeps what it derives for as long as it lives; a
/// per-step batch (random samples, NeRF's ray samples) lets the step's scope free it.
type Batch<'T> =
    { Points: 'T
      Count: int
      Dims: int
      Persistent: bool
      Derived: Dictionary<string, obj> }

module Batch =
    /// A batch of points already on the device.
    let ofPoints (b: Backend<'T>) (persistent: bool) (points: 'T) : Batch<'T> =
        let shape = b.shape points
        { Points = (if persistent then b.persist points else points); Count = shape.[0]; Dims = shape.[1]
          Persistent = persistent; Derived = Dictionary() }

    /// A batch from row-major n × d coordinates made in .NET (sample centres of a grid).
    let create (b: Backend<'T>) (persistent: bool) (dims: int) (coords: float[]) : Batch<'T> =
        ofPoints b persistent (b.points coords [| coords.Length / dims; dims |])

    /// The value derived under `key`, made by `make` on first use.
    let derive (batch: Batch<'T>) (key: string) (make: unit -> 'a) : 'a =
        match batch.Derived.TryGetValue key with
        | true, v -> unbox<'a> v
        | _ ->
            let v = make ()
            batch.Derived.[key] <- box v
            v

    /// A derived tensor, kept with the batch when the batch is persistent.
    let deriveTensor (b: Backend<'T>) (batch: Batch<'T>) (key: string) (make: unit -> 'T) : 'T =
        derive batch key (fun () -> let t = make () in if batch.Persistent then b.persist t else t)
