namespace LoE.Core

open System

/// The LoE network as pure functions: parameters are a map from names to tensors.
module Model =
    type Params<'T> = Map<string, 'T>

    let dims (spec: ModelSpec) = spec.Tile.Length
    let inputWidth (spec: ModelSpec) = Encoding.peWidth (dims spec) spec.PeFrequencies
    let private name (layer: int) (part: string) = $"layer%02d{layer}.{part}"

    /// Fresh parameters: Kaiming-uniform weights (each expert on its own) and zero biases, from the seed.
    let init (b: Backend<'T>) (spec: ModelSpec) (outChannels: int) (seed: int) : Params<'T> =
        let rng = Random(seed)
        let experts = Grid.experts spec.Tile
        let widths = Array.append [| inputWidth spec |] spec.HiddenWidths
        let hidden =
            spec.HiddenWidths |> Array.mapi (fun i outW ->
                let inW = widths.[i]
                let w = Init.kaimingUniform rng spec.NegativeSlope inW (experts * inW * outW)
                [ name (i + 1) "weight", b.tensor w [| experts; inW; outW |]
                  name (i + 1) "bias", b.tensor (Array.zeroCreate (experts * outW)) [| experts; outW |] ])
            |> List.concat
        let last = spec.HiddenWidths.Length + 1
        let inW = Array.last widths
        let w = Init.kaimingUniform rng spec.NegativeSlope inW (inW * outChannels)
        hidden @ [ name last "weight", b.tensor w [| inW; outChannels |]
                   name last "bias", b.tensor (Array.zeroCreate outChannels) [| outChannels |] ]
        |> Map.ofList

    /// Routing of every position-dependent layer for a fixed set of coordinates (row-major n × d).
    let routings (spec: ModelSpec) (coords: float[]) : Routing[] =
        spec.Layout |> Array.map (fun m -> Grid.route spec.Interpolation m spec.Tile coords)

    /// The network output [n; channels] for encoded inputs [n; inputWidth] routed by `routes`.
    let forward (b: Backend<'T>) (spec: ModelSpec) (routes: Routing[]) (ps: Params<'T>) (input: 'T) : 'T =
        let hidden =
            routes |> Array.indexed |> Array.fold (fun x (i, r) ->
                b.expertLinear r ps.[name (i + 1) "weight"] ps.[name (i + 1) "bias"] x
                |> b.leakyRelu spec.NegativeSlope) input
        let last = routes.Length + 1
        b.add (b.matmul hidden ps.[name last "weight"]) ps.[name last "bias"]

    let parameterCount (b: Backend<'T>) (ps: Params<'T>) : int64 =
        ps |> Seq.sumBy (fun kv -> b.shape kv.Value |> Array.fold (fun n d -> n * int64 d) 1L)
