module LoE.Tests.TilingProperties

open FsCheck.FSharp
open FsCheck.Xunit
open LoE.Core
open LoE.Tests.Generators

let torch64 = TorchBackend.create "cpu" true

/// Plain .NET evaluation of one position-dependent layer, coordinate by coordinate, from the routing alone.
let referenceExpertLinear (r: Routing) (w: float[]) (b: float[]) (x: float[]) inW outW =
    Array.init (r.Count * outW) (fun k ->
        let j, o = k / outW, k % outW
        Seq.sum (seq {
            for c in 0 .. r.K - 1 do
                let e, weight = r.Experts.[j * r.K + c], r.Weights.[j * r.K + c]
                let dot = Seq.sum (seq { for i in 0 .. inW - 1 -> x.[j * inW + i] * w.[(e * inW + i) * outW + o] })
                yield weight * (dot + b.[e * outW + o]) }))

let private layerCase = gen {
    let! t = tile
    let! m = affine t.Length
    let! n = Gen.choose (1, 40)
    let! coords = Gen.arrayOfLength (n * t.Length) (floatIn 0.0 1.0)
    let! inW = Gen.choose (1, 5)
    let! outW = Gen.choose (1, 5)
    let e = Grid.experts t
    let! w = Gen.arrayOfLength (e * inW * outW) (floatIn -1.0 1.0)
    let! b = Gen.arrayOfLength (e * outW) (floatIn -1.0 1.0)
    let! x = Gen.arrayOfLength (n * inW) (floatIn -1.0 1.0)
    let! interp = interpolation
    return t, m, coords, inW, outW, w, b, x, interp }

[<Property(MaxTest = 60)>]
let ``grouped expert products equal the per-coordinate weighted sum of experts`` () =
    forAll layerCase (fun (t, m, coords, inW, outW, w, b, x, interp) ->
        let r = Grid.route interp m t coords
        let e = Grid.experts t
        let y = torch64.expertLinear (Backend.routed torch64 false r) (torch64.tensor w [| e; inW; outW |]) (torch64.tensor b [| e; outW |]) (torch64.tensor x [| r.Count; inW |])
        let expected = referenceExpertLinear r w b x inW outW
        Array.forall2 (fun a e -> abs (a - e) <= 1e-12 * (1.0 + abs e)) (torch64.toArray y) expected)

let smallModel = gen {
    let! dims = Gen.choose (1, 3)
    let! t = Gen.arrayOfLength dims (Gen.choose (1, 3))
    let! depth = Gen.choose (1, 3)
    let! widths = Gen.arrayOfLength depth (Gen.choose (1, 6))
    let! freqs = Gen.choose (0, 3)
    let! interp = Gen.elements [ Interpolation.Nearest; Interpolation.NLinear; Interpolation.NLinearCentred ]
    let! n = Gen.choose (1, 30)
    let! coords = Gen.arrayOfLength (n * dims) (floatIn 0.0 1.0)
    let! seed = Gen.choose (0, 10000)
    // A = 0 puts every coordinate at u = b: expert 0 for nearest and for the paper's N-linear with b = 0 (expert
    // 0 peaks at vertex 0), and for the cell-centred N-linear with b = 0.5.
    let centre = if interp = Interpolation.NLinearCentred then 0.5 else 0.0
    let spec = ModelSpec.toy freqs widths t (Array.init depth (fun _ -> Layouts.scaled dims 0.0 centre)) interp 0.2
    return spec, coords, seed }

[<Property(MaxTest = 40)>]
let ``with A = 0 the LoE network equals a plain MLP using expert 0`` () =
    forAll smallModel (fun (spec, coords, seed) ->
        let b = torch64
        let network = Networks.signal b spec 3
        let ps = Component.init b network seed
        let n = coords.Length / spec.Tile.Length
        let input = b.tensor (Encoding.positional spec.Tile.Length spec.PeFrequencies coords) [| n; Networks.inputWidth spec |]
        let loe = Component.forward network (Batch.create b false spec.Tile.Length coords) ps |> b.toArray
        // The plain MLP: expert 0's weights as ordinary linear layers.
        // One-expert layers are stored as plain [in; out] matrices already.
        let expert0 (t: TorchBackend.T) = if Grid.experts spec.Tile > 1 then t.select(0L, 0L) else t
        let hidden =
            [ 1 .. spec.HiddenWidths.Length ] |> List.fold (fun x i ->
                let w, bias = ps.[$"layer%02d{i}.weight"], ps.[$"layer%02d{i}.bias"]
                b.leakyRelu 0.2 (b.add (b.matmul x (expert0 w)) (expert0 bias))) input
        let last = spec.HiddenWidths.Length + 1
        let mlp = b.add (b.matmul hidden ps.[$"layer%02d{last}.weight"]) ps.[$"layer%02d{last}.bias"] |> b.toArray
        Array.forall2 (fun a e -> abs (a - e) <= 1e-12 * (1.0 + abs e)) loe mlp)

[<Property(MaxTest = 30)>]
let ``on a full pixel grid the quad-tree layout gives every expert the same number of pixels`` () =
    // Square power-of-two images of side 2^k with k >= layers, so every layer's grid is no finer than the pixels.
    forAll (Gen.zip (Gen.choose (1, 7)) (Gen.choose (0, 2))) (fun (layers, extra) ->
        let side = 1 <<< (layers + extra)
        let coords = Grid.pixelCentres side side
        Layouts.preset "quad-tree" layers 2 0.0 0
        |> Array.forall (fun m ->
            let counts = (Grid.route Interpolation.Nearest m [| 2; 2 |] coords).Experts |> Array.countBy id
            counts.Length = 4 && counts |> Array.forall (fun (_, c) -> c = side * side / 4)))
