namespace LoE.Core

/// The networks of sections A-C as compositions of components: an input mapping (positional encoding, raw
/// coordinate or constant), an optional learnable embedding, position-dependent layers with activations, and
/// a final plain linear layer. Parameters are named `embedding` and `layerNN.weight` / `layerNN.bias`.
module Networks =
    let dims (spec: ModelSpec) = spec.Tile.Length

    /// Width of the input mapping alone (before any embedding channels).
    let mappingWidth (spec: ModelSpec) =
        match spec.Input with
        | InputMapping.Constant -> 1
        | InputMapping.Raw -> dims spec
        | _ -> Encoding.peWidth (dims spec) spec.PeFrequencies

    /// Width of the first layer's input: the mapping, then the embedding's channels.
    let inputWidth (spec: ModelSpec) = mappingWidth spec + spec.EmbeddingChannels

    /// Name of layer i (1-based), as checkpoints store it.
    let layerName (i: int) = $"layer%02d{i}"

    /// Kaiming-uniform weights and zero biases (section A), or SIREN's initialisation for sine networks.
    let private layerInit (spec: ModelSpec) (layer: int) : LayerInit =
        match spec.Activation with
        | Activation.Sine ->
            { Weight = if layer = 0 then (fun rng fanIn count -> Init.sirenFirst rng fanIn count)
                       else (fun rng fanIn count -> Init.sirenHidden rng spec.Omega0 fanIn count)
              Bias = Init.linearBias }
        | _ ->
            { Weight = fun rng fanIn count -> Init.kaimingUniform rng spec.NegativeSlope fanIn count
              Bias = fun _ _ count -> Array.zeroCreate count }

    /// The signal network of a ModelSpec with `outChannels` outputs.
    let signal (b: Backend<'T>) (spec: ModelSpec) (outChannels: int) : Component<'T> =
        let mapping =
            match spec.Input with
            | InputMapping.Constant -> Encodings.constant b
            | InputMapping.Raw -> Encodings.raw b spec.EncodingRange
            | _ -> Encodings.positional b spec.EncodingRange spec.PeFrequencies
        let embedding =
            if spec.EmbeddingChannels = 0 then []
            else [ Encodings.lattice b "embedding" (dims spec) spec.EmbeddingChannels spec.EmbeddingResolution ]
        let activation =
            match spec.Activation with
            | Activation.Sine -> Activations.sine b spec.Omega0
            | _ -> Activations.leakyRelu b spec.NegativeSlope
        let widths = Array.append [| inputWidth spec |] spec.HiddenWidths
        let hidden =
            spec.HiddenWidths |> Array.mapi (fun i outW ->
                let options =
                    { ExpertLinear.Interpolation = spec.Interpolation; ExpertLinear.Map = spec.Layout.[i]
                      ExpertLinear.Tile = ModelSpec.tileOf spec i; ExpertLinear.SharedBias = spec.SharedBias
                      ExpertLinear.Init = spec.ExpertInit }
                layerName (i + 1), options, widths.[i], outW, layerInit spec i)
            |> List.ofArray
            |> fun layers -> ExpertLinear.stack b layers activation
        let last = spec.HiddenWidths.Length
        Component.chain
            ([ mapping ] @ embedding @ [ hidden ]
             @ [ Linear.create b (layerName (last + 1)) (Array.last widths) outChannels (layerInit spec last) ])

    /// Parameters the signal network of `spec` stores (every expert's weights and biases, an embedding's table),
    /// counted from its components: what a configuration check asks before anything is allocated. The count does
    /// not depend on where the experts sit, so placeholder maps stand in for a layout not made yet.
    let parameterCount (spec: ModelSpec) (outChannels: int) : int64 =
        let placeholder = Array.init spec.HiddenWidths.Length (fun _ -> Layouts.scaled (dims spec) 1.0 0.0)
        Component.parameterCount (signal (ReferenceBackend.create ()) { spec with Layout = placeholder } outChannels)
