namespace LoE.Core

/// The position-dependent ("expert") linear layer h(x, p) = ψ(p) x + b (eq. 4-8): a tile of expert weight matrices
/// [E; in; out] repeated over space by an affine map, each point using the expert of its cell (nearest) or an
/// N-linear blend of the 2^d around it. The bias is per expert [E; out] (blended like the weights) or shared
/// [out], the main paper's form. Its routing is derived from the batch's points on the device, once per batch.
module ExpertLinear =
    type Options = { Interpolation: Interpolation; Map: AffineMap; Tile: int[]; SharedBias: bool; Init: ExpertInit }

    /// `count` values per expert: one draw per expert (independent), or one draw of `count` copied to all of them
    /// (replicated), which consumes the generator exactly as the dense layer's draw does.
    let private perExpert (how: ExpertInit) (experts: int) (count: int) (draw: int -> float[]) : float[] =
        match how with
        | ExpertInit.Replicated -> let one = draw count in Array.init (experts * count) (fun k -> one.[k % count])
        | _ -> draw (experts * count)

    /// A layer of `Grid.experts tile` experts as a component, and its product as a stack's layer for a batch.
    let private layer (b: Backend<'T>) (name: string) (o: Options) (inW: int) (outW: int) (init: LayerInit) : Component<'T> * (Batch<'T> -> Params<'T> -> StackLayer<'T>) =
        let experts = Grid.experts o.Tile
        let weight, bias = $"{name}.weight", $"{name}.bias"
        if experts = 1 then
            Linear.create b name inW outW init, (fun _ ps -> { Routing = None; Weight = ps.[weight]; Bias = ps.[bias] })
        else
            let biasShape = if o.SharedBias then [| outW |] else [| experts; outW |]
            let corners = if o.Interpolation = Interpolation.Nearest then 1L else 1L <<< o.Tile.Length
            // The routing is kept with the batch under a key that says everything it depends on: two networks
            // over one batch (the benchmark's nearest and N-linear variants) with the same layer names must not
            // share it.
            let routingKey = Routing(name, o.Interpolation, o.Tile, o.Map)
            let biasExperts = if o.SharedBias then 1 else experts
            let stackLayer (batch: Batch<'T>) (ps: Params<'T>) =
                let routing = Batch.derive batch routingKey (fun () -> b.route o.Interpolation o.Map o.Tile batch.Persistent batch.Points)
                { Routing = Some routing; Weight = ps.[weight]; Bias = ps.[bias] }
            { Parameters =
                [ { Name = weight; Shape = [| experts; inW; outW |]
                    Init = fun rng -> perExpert o.Init experts (inW * outW) (init.Weight rng inW) }
                  { Name = bias; Shape = biasShape; Init = fun rng -> perExpert o.Init biasExperts outW (init.Bias rng inW) } ]
              // A nearest point costs what a dense layer costs; an N-linear point runs its 2^d corners' products.
              MultiplyAdds = corners * int64 inW * int64 outW
              Apply = fun batch ps x -> let l = stackLayer batch ps in b.expertLinear l.Routing.Value l.Weight l.Bias x },
            stackLayer

    /// A layer of `Grid.experts tile` experts; with one expert it is a plain linear layer (one matmul).
    let create (b: Backend<'T>) (name: string) (o: Options) (inW: int) (outW: int) (init: LayerInit) : Component<'T> =
        layer b name o inW outW init |> fst

    /// Layers (name, options, input and output widths, initialiser), each followed by an elementwise `activation`
    /// (a parameterless component), as one component: the parameters, initial values and outputs of `create` and the
    /// activation chained, run by the backend's expertStack (which may keep the rows in its own order between layers).
    let stack (b: Backend<'T>) (layers: (string * Options * int * int * LayerInit) list) (activation: Component<'T>) : Component<'T> =
        let parts = layers |> List.map (fun (name, o, inW, outW, init) -> layer b name o inW outW init)
        let chained = Component.chain (parts |> List.map fst)
        { chained with
            Apply = fun batch ps x -> b.expertStack (parts |> List.map (fun (_, l) -> l batch ps)) (activation.Apply batch ps) x }
