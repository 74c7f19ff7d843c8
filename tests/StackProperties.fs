module LoE.Tests.StackProperties

open FsCheck.FSharp
open FsCheck.Xunit
open LoE.Core
open LoE.Tests.Generators
open LoE.Tests.ReferenceProperties

/// One layer of a stack: its routing (None: a plain layer), widths, whether its bias is shared, and its values.
type private LayerCase = { Routing: Routing option; Experts: int; In: int; Out: int; Shared: bool }

/// A stack of 1-4 layers over 1-40 points in 1-3 dimensions: mostly nearest layers (their slot orders differ from
/// layer to layer, groups are uneven so slots are padded, and some experts own no point), with N-linear and plain
/// layers between them, shared or per-expert biases, and the input, weights and biases to differentiate.
let private stackCase = gen {
    let! d = dims
    let! n = Gen.choose (1, 40)
    let! coords = Gen.arrayOfLength (n * d) (floatIn 0.0 1.0)
    let! depth = Gen.choose (1, 4)
    let! widths = Gen.arrayOfLength (depth + 1) (Gen.choose (1, 3))
    let! layers =
        List.init depth (fun i -> gen {
            let! kind = Gen.elements [ Some Interpolation.Nearest; Some Interpolation.Nearest; Some Interpolation.Nearest; Some Interpolation.NLinear; None ]
            let! t = Gen.arrayOfLength d (Gen.choose (1, 4))
            let! m = affine d
            let! shared = Gen.elements [ false; true ]
            let routing = kind |> Option.map (fun interp -> Grid.route interp m t coords)
            let experts = if routing.IsSome then Grid.experts t else 1
            return { Routing = routing; Experts = experts; In = widths.[i]; Out = widths.[i + 1]; Shared = shared || routing.IsNone } })
        |> Gen.sequenceToList
    let shapes =
        [ yield [| n; widths.[0] |]
          for l in layers do
              yield (if l.Routing.IsSome then [| l.Experts; l.In; l.Out |] else [| l.In; l.Out |])
              yield (if l.Shared then [| l.Out |] else [| l.Experts; l.Out |]) ]
    let! args = shapes |> List.map (fun s -> Gen.arrayOfLength (Array.fold (*) 1 s) (floatIn -1.0 1.0)) |> Gen.sequenceToList
    let! probe = Gen.arrayOfLength (n * widths.[depth]) (floatIn -1.0 1.0)
    return layers, shapes, args, probe }

/// Σ probe · stack(x), with LeakyReLU(0.2) after every layer; ts = x, then each layer's weight and bias.
let private stackLoss (b: Backend<'T>) (layers: LayerCase list) (probe: float[]) (ts: 'T list) =
    let stack =
        layers |> List.mapi (fun i l ->
            { Routing = l.Routing |> Option.map (Backend.routed b false); Weight = ts.[1 + 2 * i]; Bias = ts.[2 + 2 * i] })
    let y = b.expertStack stack (b.leakyRelu 0.2) ts.[0]
    b.sum (b.mul y (b.tensor probe (b.shape y)))

[<Property(MaxTest = 80)>]
let ``torch's stack in slot order equals the reference's layer-by-layer fold, values and gradients`` () =
    forAll stackCase (fun (layers, shapes, args, probe) ->
        let run (b: Backend<'T>) f = let v, gs = b.valueAndGrad f (List.map2 b.tensor args shapes) in v, gs |> List.map b.toArray
        let torch = TilingProperties.torch64
        let tv, tg = run torch (stackLoss torch layers probe)
        let rv, rg = run reference (stackLoss reference layers probe)
        (closeTo 1e-9 [| tv |] [| rv |] && List.forall2 (closeTo 1e-9) tg rg)
        |> Prop.label $"""layers {layers |> List.map (fun l -> l.Routing |> Option.map (fun r -> r.K, r.TileExperts))}""")
