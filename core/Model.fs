namespace LoE.Core

open System

/// The LoE network as pure functions: parameters are a map from names to tensors.
module Model =
    type Params<'T> = Map<string, 'T>

    let dims (spec: ModelSpec) = spec.Tile.Length

    /// Width of the input mapping alone (before any embedding channels).
    let mappingWidth (spec: ModelSpec) =
        match spec.Input with
        | InputMapping.Constant -> 1
        | InputMapping.Raw -> dims spec
        | _ -> Encoding.peWidth (dims spec) spec.PeFrequencies

    /// Width of the first layer's input: the mapping, then the embedding's channels.
    let inputWidth (spec: ModelSpec) = mappingWidth spec + spec.EmbeddingChannels

    let private name (layer: int) (part: string) = $"layer%02d{layer}.{part}"
    let embeddingName = "embedding"

    /// Experts of position-dependent layer i (0-based); 1 makes it a plain linear layer.
    let expertsOf (spec: ModelSpec) (i: int) = Grid.experts (ModelSpec.tileOf spec i)

    /// The input mapping of coordinates (row-major n × d), computed on the CPU in float64 (coordinates are data).
    let encode (spec: ModelSpec) (coords: float[]) : float[] =
        let d = dims spec
        match spec.Input with
        | InputMapping.Constant -> Array.create (coords.Length / d) 1.0
        | InputMapping.Raw -> Array.copy coords
        | _ -> Encoding.positional d spec.PeFrequencies coords

    /// Fresh parameters from the seed: Kaiming-uniform weights (each expert on its own) and zero biases, or
    /// SIREN's initialisation for sine networks; a zero embedding.
    let init (b: Backend<'T>) (spec: ModelSpec) (outChannels: int) (seed: int) : Params<'T> =
        let rng = Random(seed)
        let widths = Array.append [| inputWidth spec |] spec.HiddenWidths
        let sine = spec.Activation = Activation.Sine
        let weights (layer: int) inW count =
            if not sine then Init.kaimingUniform rng spec.NegativeSlope inW count
            elif layer = 0 then Init.sirenFirst rng inW count
            else Init.sirenHidden rng spec.Omega0 inW count
        let biases inW count = if sine then Init.linearBias rng inW count else Array.zeroCreate count
        let hidden =
            spec.HiddenWidths |> Array.mapi (fun i outW ->
                let inW = widths.[i]
                let experts = expertsOf spec i
                let w = weights i inW (experts * inW * outW)
                let bias = biases inW (experts * outW)
                // A one-expert layer is stored as a plain [in; out] matrix, so it runs as one matmul.
                if experts = 1 then
                    [ name (i + 1) "weight", b.tensor w [| inW; outW |]; name (i + 1) "bias", b.tensor bias [| outW |] ]
                else
                    [ name (i + 1) "weight", b.tensor w [| experts; inW; outW |]
                      name (i + 1) "bias", b.tensor bias [| experts; outW |] ])
            |> List.concat
        let last = spec.HiddenWidths.Length + 1
        let inW = Array.last widths
        let w = weights spec.HiddenWidths.Length inW (inW * outChannels)
        let bias = biases inW outChannels
        let embedding =
            if spec.EmbeddingChannels = 0 then []
            else
                let cells = pown spec.EmbeddingResolution (dims spec)
                [ embeddingName, b.tensor (Array.zeroCreate (cells * spec.EmbeddingChannels)) [| cells; spec.EmbeddingChannels |] ]
        embedding @ hidden @ [ name last "weight", b.tensor w [| inW; outChannels |]
                               name last "bias", b.tensor bias [| outChannels |] ]
        |> Map.ofList

    /// A placeholder for plain layers, which read no routing.
    let private unrouted (n: int) = { Count = n; K = 1; Experts = [||]; Weights = [||]; TileExperts = 1 }

    /// Routing of every position-dependent layer for a set of coordinates (row-major n × d).
    let routings (spec: ModelSpec) (coords: float[]) : Routing[] =
        spec.Layout |> Array.mapi (fun i m ->
            if expertsOf spec i = 1 then unrouted (coords.Length / dims spec)
            else Grid.route spec.Interpolation m (ModelSpec.tileOf spec i) coords)

    /// Lattice routing of the learnable embedding, when the model has one.
    let embeddingRouting (spec: ModelSpec) (coords: float[]) : Routing option =
        if spec.EmbeddingChannels = 0 then None
        else Some(Grid.lattice spec.EmbeddingResolution (dims spec) coords)

    let private activate (b: Backend<'T>) (spec: ModelSpec) (x: 'T) =
        match spec.Activation with
        | Activation.Sine -> b.sin (b.scale spec.Omega0 x)
        | _ -> b.leakyRelu spec.NegativeSlope x

    /// The network output [n; channels] for mapped inputs [n; mappingWidth], layers routed by `routes`, the
    /// embedding (if any) by `embedding`.
    let forwardWith (b: Backend<'T>) (spec: ModelSpec) (routes: Routing[]) (embedding: Routing option) (ps: Params<'T>) (input: 'T) : 'T =
        let first =
            match embedding with
            | Some r -> b.concatLast [ input; b.interpolate r ps.[embeddingName] ]
            | None when spec.EmbeddingChannels > 0 -> invalidArg "embedding" "the model has an embedding but no routing was given for it"
            | None -> input
        let hidden =
            routes |> Array.indexed |> Array.fold (fun x (i, r) ->
                let w, bias = ps.[name (i + 1) "weight"], ps.[name (i + 1) "bias"]
                let y = if expertsOf spec i = 1 then b.add (b.matmul x w) bias else b.expertLinear r w bias x
                activate b spec y) first
        let last = routes.Length + 1
        b.add (b.matmul hidden ps.[name last "weight"]) ps.[name last "bias"]

    /// The network output for a model without an embedding.
    let forward (b: Backend<'T>) (spec: ModelSpec) (routes: Routing[]) (ps: Params<'T>) (input: 'T) : 'T =
        forwardWith b spec routes None ps input

    let parameterCount (b: Backend<'T>) (ps: Params<'T>) : int64 =
        ps |> Seq.sumBy (fun kv -> b.shape kv.Value |> Array.fold (fun n d -> n * int64 d) 1L)
