/// Components and their composition: what a model built from them must satisfy on every backend.
module LoE.Tests.ComponentProperties

open FsCheck.FSharp
open FsCheck.Xunit
open LoE.Core
open LoE.Tests.Generators

let private torch64 = TilingProperties.torch64
let private reference = ReferenceBackend.create ()

let private layerCase = gen {
    let! t = tile
    let! m = affine t.Length
    let! interp = interpolation
    let! inW = Gen.choose (1, 4)
    let! outW = Gen.choose (1, 4)
    let! n = Gen.choose (1, 12)
    let! coords = Gen.arrayOfLength (n * t.Length) (floatIn -1.0 2.0)
    let! seed = Gen.choose (0, 1000)
    return { ExpertLinear.Interpolation = interp; ExpertLinear.Map = m; ExpertLinear.Tile = t; ExpertLinear.SharedBias = true; ExpertLinear.Init = ExpertInit.Independent }, inW, outW, coords, seed }

let private kaiming = { Weight = (fun rng fanIn count -> Init.kaimingUniform rng 0.2 fanIn count); Bias = fun rng fanIn count -> Init.linearBias rng fanIn count }

/// h(x, p) = ψ(p) x + b with one shared bias equals the per-expert form whose experts all hold that bias, on
/// both backends; the weights are the same draws in both (the bias is drawn after them).
[<Property(MaxTest = 60)>]
let ``a shared bias equals per-expert biases that are all equal`` () =
    forAll layerCase (fun (options, inW, outW, coords, seed) ->
        let holds (b: Backend<'T>) =
            let experts = Grid.experts options.Tile
            let shared = ExpertLinear.create b "l" options inW outW kaiming
            let perExpert = ExpertLinear.create b "l" { options with SharedBias = false } inW outW kaiming
            let ps = Component.init b shared seed
            let bias = b.toArray ps.["l.bias"]
            let spread = if experts = 1 then bias else Array.init (experts * outW) (fun i -> bias.[i % outW])
            let ps' = ps |> Map.add "l.bias" (b.tensor spread (if experts = 1 then [| outW |] else [| experts; outW |]))
            let d = options.Tile.Length
            let batch = Batch.create b false d coords
            let x = b.tensor (Array.init (batch.Count * inW) (fun i -> sin (float i))) [| batch.Count; inW |]
            let y1, y2 = b.toArray (shared.Apply batch ps x), b.toArray (perExpert.Apply batch ps' x)
            Array.forall2 (fun a c -> abs (a - c) <= 1e-12 * (1.0 + abs c)) y1 y2
        holds torch64 && holds reference)

/// A persistent batch (the whole signal, reused every step) and a fresh per-step batch give the same network
/// output: what a component derives from the points does not depend on how long it is kept.
[<Property(MaxTest = 20)>]
let ``persistent and per-step batches give the same output`` () =
    forAll TilingProperties.smallModel (fun (spec, coords, seed) ->
        let b = torch64
        let network = Networks.signal b spec 2
        let ps = Component.init b network seed
        let d = spec.Tile.Length
        let persistent = Batch.create b true d coords
        let once = Component.forward network persistent ps |> b.toArray
        let again = Component.forward network persistent ps |> b.toArray
        let fresh = Component.forward network (Batch.create b false d coords) ps |> b.toArray
        once = again && once = fresh)

/// Two networks with the same layer names but different routings (interpolation, scale) over one batch: each
/// gives what it gives on a batch of its own. The batch keeps what layers derive from its points; a key naming
/// only the layer once handed the second network the first one's routing.
[<Property(MaxTest = 30)>]
let ``networks sharing a batch each get their own routing`` () =
    let model = gen {
        let! dims = Gen.choose (1, 3)
        let! tile = Gen.arrayOfLength dims (Gen.choose (2, 3))
        let! widths = Gen.arrayOfLength 2 (Gen.choose (1, 5))
        let! scales = Gen.arrayOfLength 2 (Gen.elements [ 1.0; 2.0; 3.5; 8.0 ])
        let! n = Gen.choose (1, 30)
        let! coords = Gen.arrayOfLength (n * dims) (floatIn 0.0 1.0)
        let! interpolations = Gen.zip (Gen.elements [ Interpolation.Nearest; Interpolation.NLinear ]) (Gen.elements [ Interpolation.Nearest; Interpolation.NLinear ])
        let! rescale = Gen.elements [ 1.0; 2.0 ]
        let spec interp (k: float) = ModelSpec.toy 2 widths tile (scales |> Array.map (fun s -> Layouts.scaled dims (k * s) 0.0)) interp 0.2
        return spec (fst interpolations) 1.0, spec (snd interpolations) rescale, coords }
    forAll model (fun (first, second, coords) ->
        let b = torch64
        let d = first.Tile.Length
        let netA, netB = Networks.signal b first 2, Networks.signal b second 2
        let psA, psB = Component.init b netA 1, Component.init b netB 1
        let shared = Batch.create b true d coords
        let a = Component.forward netA shared psA |> b.toArray
        let bShared = Component.forward netB shared psB |> b.toArray
        let bAlone = Component.forward netB (Batch.create b true d coords) psB |> b.toArray
        (bShared = bAlone && a = (Component.forward netA (Batch.create b true d coords) psA |> b.toArray))
        |> Prop.label $"%A{first.Interpolation} then %A{second.Interpolation}")

/// A batch finds what it derived under a key of equal value made from other arrays (a network rebuilt from its
/// configuration derives nothing twice), and makes a new value when any one entry of the map or tile differs.
[<Property(MaxTest = 50)>]
let ``a batch's derived values are found by the key's value, not its arrays`` () =
    let case = gen {
        let! dims = Gen.choose (1, 3)
        let! tile = Gen.arrayOfLength dims (Gen.choose (1, 4))
        let! m = affine dims
        let! entry = Gen.choose (0, dims * dims + dims + dims - 1)
        return tile, m, entry }
    forAll case (fun (tile, m, entry) ->
        let dims = tile.Length
        let batch = Batch.create reference true dims (Array.zeroCreate dims)
        let key (tile: int[]) (m: AffineMap) = Routing("layer01", Interpolation.Nearest, tile, m)
        let copy () = Array.copy tile, { A = Array2D.copy m.A; B = Array.copy m.B }
        let made = ref 0
        let derive k = Batch.derive batch k (fun () -> made.Value <- made.Value + 1; made.Value)
        let first = derive (key tile m)
        let t2, m2 = copy ()
        let again = derive (key t2 m2)
        // One entry changed: of A, of B, or of the tile.
        let t3, m3 = copy ()
        if entry < dims * dims then m3.A.[entry / dims, entry % dims] <- m3.A.[entry / dims, entry % dims] + 0.5
        elif entry < dims * dims + dims then m3.B.[entry - dims * dims] <- m3.B.[entry - dims * dims] + 0.5
        else t3.[entry - dims * dims - dims] <- t3.[entry - dims * dims - dims] + 1
        let other = derive (key t3 m3)
        first = 1 && again = 1 && other = 2)

/// Every parameter a model owns has a unique name, and the count is the sum of their shapes' sizes.
[<Property(MaxTest = 30)>]
let ``a composed network's parameters have unique names and its count sums their shapes`` () =
    forAll TilingProperties.smallModel (fun (spec, _, seed) ->
        let network = Networks.signal reference spec 3
        let ps = Component.init reference network seed
        let names = network.Parameters |> List.map (fun p -> p.Name)
        List.distinct names = names
        && Set.ofList names = (ps |> Map.keys |> Set.ofSeq)
        && Component.parameterCount network = (ps |> Map.values |> Seq.sumBy (Backend.elements reference)))

/// The symmetric encoding range feeds 2p − 1 to the positional encoding and to SIREN's raw input (hand-derived:
/// the same encodings of the mapped points), while the unit range feeds p itself.
[<Property(MaxTest = 50)>]
let ``the symmetric encoding range encodes 2p - 1, the unit range p`` () =
    let case = gen {
        let! d = Gen.choose (1, 3)
        let! n = Gen.choose (1, 10)
        let! frequencies = Gen.choose (0, 6)
        let! coords = Gen.arrayOfLength (n * d) (floatIn 0.0 1.0)
        return d, frequencies, coords }
    forAll case (fun (d, frequencies, coords) ->
        let b = reference
        let batch = Batch.create b false d coords
        let symmetric = coords |> Array.map (fun p -> 2.0 * p - 1.0)
        let pe range = (Encodings.positional b range frequencies).Apply batch Map.empty batch.Points |> b.toArray
        let raw range = (Encodings.raw b range).Apply batch Map.empty batch.Points |> b.toArray
        let close (a: float[]) (e: float[]) = Array.forall2 (fun x y -> abs (x - y) < 1e-12) a e
        close (pe EncodingRange.Symmetric) (Encoding.positional d frequencies symmetric)
        && close (pe EncodingRange.Unit) (Encoding.positional d frequencies coords)
        && close (raw EncodingRange.Symmetric) symmetric && close (raw EncodingRange.Unit) coords)

/// A residual block adds its input to its body's output: with a linear body, x + x W + b (hand-derived).
[<Property(MaxTest = 30)>]
let ``a residual block computes x + f(x)`` () =
    forAll (Gen.zip (Gen.choose (1, 5)) (Gen.choose (1, 8))) (fun (width, n) ->
        let b = reference
        let body = Linear.create b "r" width width kaiming
        let block = Component.residual [ body ] b.add
        let ps = Component.init b block 7
        let x = Array.init (n * width) (fun i -> cos (float i))
        let batch = Batch.create b false 1 (Array.zeroCreate n)
        let y = block.Apply batch ps (b.tensor x [| n; width |]) |> b.toArray
        let w, bias = b.toArray ps.["r.weight"], b.toArray ps.["r.bias"]
        let expected =
            Array.init (n * width) (fun k ->
                let j, o = k / width, k % width
                x.[k] + bias.[o] + Seq.sum (seq { for i in 0 .. width - 1 -> x.[j * width + i] * w.[i * width + o] }))
        (block.Parameters |> List.map (fun p -> p.Name)) = (body.Parameters |> List.map (fun p -> p.Name))
        && Array.forall2 (fun a e -> abs (a - e) < 1e-12) y expected)
