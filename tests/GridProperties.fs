module LoE.Tests.GridProperties

open FsCheck.FSharp
open FsCheck.Xunit
open Xunit
open LoE.Core
open LoE.Tests.Generators

// Expectations here are computed from a GridPosition's exact parts (cell, fraction), never by calling floor or
// the code under test, so a point exactly on a border has one right answer.

/// Non-negative remainder, written independently of Grid.modulo.
let private wrap (a: int) (t: int) = let r = a % t in if r < 0 then r + t else r

/// Row-major flat index of a per-dimension index (last dimension fastest).
let private flat (t: int[]) (index: int[]) = Array.fold2 (fun f ti i -> f * ti + i) 0 t index

/// Where expert k of a dimension peaks (grid units): at the vertex k (the paper's eq. 4, Interpolation.NLinear)
/// or at the cell centre k + 0.5 (Interpolation.NLinearCentred).
let private expertCentre (interp: Interpolation) = if interp = Interpolation.NLinearCentred then 0.5 else 0.0

/// The linear B-spline ("hat") of one dimension: 1 at an expert's centre, falling linearly to 0 one cell away.
let private hat (x: float) = max 0.0 (1.0 - abs x)

/// N-linear weight of every expert at grid position u, from the hat functions of all centres within one cell
/// of u (wrapping around the tile), summed per flat expert.
let private expectedBlend (interp: Interpolation) (t: int[]) (u: GridPosition) : Map<int, float> =
    let d = t.Length
    let rec corners i : int list list =
        if i = d then [ [] ]
        else [ for c in u.Cell.[i] - 1 .. u.Cell.[i] + 1 do for rest in corners (i + 1) -> c :: rest ]
    corners 0
    |> List.map (fun c ->
        let c = Array.ofList c
        let w = Array.init d (fun i -> hat (float (u.Cell.[i] - c.[i]) + (u.Fraction.[i] - expertCentre interp))) |> Array.fold (*) 1.0
        flat t (Array.init d (fun i -> wrap c.[i] t.[i])), w)
    |> List.filter (fun (_, w) -> w > 0.0)
    |> List.groupBy fst |> List.map (fun (e, ws) -> e, List.sumBy snd ws) |> Map.ofList

let private perExpert (corners: (int * float)[]) =
    corners |> Array.groupBy fst |> Array.map (fun (e, ws) -> e, Array.sumBy snd ws) |> Map.ofArray

let private sameWeights (tolerance: float) (a: Map<int, float>) (b: Map<int, float>) =
    let get (m: Map<int, float>) e = m.TryFind e |> Option.defaultValue 0.0
    Seq.append a.Keys b.Keys |> Seq.forall (fun e -> abs (get a e - get b e) <= tolerance)

[<Property(MaxTest = 500)>]
let ``nearest index equals floor(A p + b) mod t, on and next to cell borders, negative coordinates, 1-3 dimensions`` () =
    forAll onGrid (fun g ->
        let expected = Array.init g.Tile.Length (fun i -> wrap g.U.Cell.[i] g.Tile.[i])
        let index = Grid.nearestIndex g.Map g.Tile g.P
        (index = expected && Grid.nearest g.Map g.Tile g.P = flat g.Tile expected)
        |> Prop.label $"index {index} expected {expected} at u = {GridPosition.value g.U}")

[<Property>]
let ``nearest index lies within the tile`` () =
    forAll tiledPoint (fun (t, m, p) ->
        let index = Grid.nearestIndex m t p
        Array.forall2 (fun i ti -> 0 <= i && i < ti) index t
        && (let f = Grid.nearest m t p in 0 <= f && f < Grid.experts t))

[<Property>]
let ``nearest index is unchanged when A p + b moves by a whole tile period`` () =
    forAll (Gen.zip onGrid (Gen.choose (-3, 3))) (fun (g, periods) ->
        let before = Grid.nearestIndex g.Map g.Tile g.P
        Seq.forall (fun dim ->
            let m = { g.Map with B = g.Map.B |> Array.mapi (fun i b -> if i = dim then b + float (periods * g.Tile.[dim]) else b) }
            Grid.nearestIndex m g.Tile g.P = before) [ 0 .. g.Tile.Length - 1 ])

[<Property(MaxTest = 300)>]
let ``N-linear weights are the product of hat functions centred on the experts (linear between them)`` () =
    forAll (Gen.zip onGrid (Gen.elements [ Interpolation.NLinear; Interpolation.NLinearCentred ])) (fun (g, interp) ->
        let corners = Grid.nlinearAt (Grid.expertOffset interp) g.Map g.Tile g.P
        let actual, expected = perExpert corners, expectedBlend interp g.Tile g.U
        (corners.Length = (1 <<< g.Tile.Length)
         && corners |> Array.forall (fun (e, w) -> 0 <= e && e < Grid.experts g.Tile && w >= 0.0)
         && sameWeights 1e-9 actual expected)
        |> Prop.label $"u = {GridPosition.value g.U}, tile {g.Tile}: got {actual}, expected {expected}")

[<Property>]
let ``paper N-linear (eq. 4) gives expert j mod t all the weight at grid vertex j`` () =
    // A vertex is a border of nearest's cells (nearest may fall either side by rounding); the blend is
    // continuous there and peaks on expert (j mod t).
    forAll onGrid (fun g ->
        let atVertex = { g with U = { g.U with Fraction = Array.zeroCreate g.Tile.Length } }
        let target = GridPosition.value atVertex.U
        let m = { g.Map with B = Array.init g.Tile.Length (fun r -> target.[r] - Seq.sum (seq { for c in 0 .. g.Tile.Length - 1 -> g.Map.A.[r, c] * g.P.[c] })) }
        let peak = flat g.Tile (Array.init g.Tile.Length (fun i -> wrap g.U.Cell.[i] g.Tile.[i]))
        sameWeights 1e-9 (perExpert (Grid.nlinear m g.Tile g.P)) (Map.ofList [ peak, 1.0 ]))

[<Property>]
let ``paper N-linear splits a cell centre equally between the cell's expert and the next`` () =
    // Half a cell from nearest: at u = k + 0.5 in 1-D, experts k and k+1 (mod t) get 1/2 each.
    forAll (Gen.zip (Gen.zip (Gen.choose (2, 4)) (floatIn -3.0 3.0)) (Gen.choose (-20, 20))) (fun ((t, a), k) ->
        let m = { A = Array2D.create 1 1 a; B = [| float k + 0.5 - a * 0.3 |] }
        let r = Grid.route Interpolation.NLinear m [| t |] [| 0.3 |]
        set r.Experts = set [ wrap k t; wrap (k + 1) t ] && r.Weights |> Array.forall (fun w -> abs (w - 0.5) < 1e-9))

[<Property>]
let ``cell-centred N-linear equals nearest at cell centres`` () =
    forAll onGrid (fun g ->
        let centred = { g with U = { g.U with Fraction = Array.create g.Tile.Length 0.5 } }
        let target = GridPosition.value centred.U
        let m = { g.Map with B = Array.init g.Tile.Length (fun r -> target.[r] - Seq.sum (seq { for c in 0 .. g.Tile.Length - 1 -> g.Map.A.[r, c] * g.P.[c] })) }
        let weights = perExpert (Grid.nlinearAt 0.5 m g.Tile g.P)
        sameWeights 1e-12 weights (Map.ofList [ Grid.nearest m g.Tile g.P, 1.0 ]))

[<Property(MaxTest = 300)>]
let ``N-linear weights are continuous across cell borders and half-cell lines`` () =
    // The generator puts u on whole numbers and on half-cell lines (where the lower neighbour changes) in
    // every dimension often: compare the weights 1e-12 on either side.
    forAll (Gen.zip onGrid (Gen.elements [ 0.0; 0.5 ])) (fun (g, offset) ->
        let before = perExpert (Grid.nlinearAt offset (shifted g -1e-12) g.Tile g.P)
        let after = perExpert (Grid.nlinearAt offset (shifted g 1e-12) g.Tile g.P)
        sameWeights 1e-9 before after |> Prop.label $"u = {GridPosition.value g.U}: {before} vs {after}")

[<Property>]
let ``moving A p + b by one cell moves the index by one, wrapping around the tile`` () =
    forAll onGrid (fun g ->
        let before = Grid.nearestIndex g.Map g.Tile g.P
        Seq.forall (fun dim ->
            let m = { g.Map with B = g.Map.B |> Array.mapi (fun i b -> if i = dim then b + 1.0 else b) }
            let after = Grid.nearestIndex m g.Tile g.P
            after.[dim] = (before.[dim] + 1) % g.Tile.[dim]) [ 0 .. g.Tile.Length - 1 ])

/// A map with dyadic entries, a tile and a batch of coordinates (some on the k/16 lattice, some negative).
let private batch = gen {
    let! g = onGrid
    let! n = Gen.choose (0, 20)
    let! coords = coordinates g.Tile.Length n -1.0 2.0
    let! interp = interpolation
    return interp, g, coords }

[<Property(MaxTest = 300)>]
let ``batched routing equals the per-point functions, nearest and N-linear, in 1-3 dimensions`` () =
    forAll batch (fun (interp, g, coords) ->
        Grid.route interp g.Map g.Tile coords = Grid.routeSlow interp g.Map g.Tile coords)

[<Property(MaxTest = 300)>]
let ``batched routing of a point on a border equals the independent expectation`` () =
    forAll (Gen.zip onGrid interpolation) (fun (g, interp) ->
        let r = Grid.route interp g.Map g.Tile g.P
        match interp with
        | Interpolation.Nearest -> r.Experts = [| flat g.Tile (Array.init g.Tile.Length (fun i -> wrap g.U.Cell.[i] g.Tile.[i])) |]
        | _ -> sameWeights 1e-9 (perExpert (Array.zip r.Experts r.Weights)) (expectedBlend interp g.Tile g.U))

[<Fact>]
let ``a tile wraps for negative cells: floor(-0.5) = -1 is the last expert`` () =
    let m = Layouts.scaled 2 1.0 0.0
    // u = (-0.5, -3): cells -1 and -3, so experts (2, 0) in a 3 × 3 tile (flat 6), not (0, 0) or (-1, ...).
    Assert.Equal<int[]>([| 2; 0 |], Grid.nearestIndex m [| 3; 3 |] [| -0.5; -3.0 |])
    Assert.Equal(6, Grid.nearest m [| 3; 3 |] [| -0.5; -3.0 |])

[<Fact>]
let ``sample centres are (k + 0.5) / size with the first dimension fastest`` () =
    Assert.Equal<float[]>(
        [| 0.125; 0.25; 0.375; 0.25; 0.625; 0.25; 0.875; 0.25
           0.125; 0.75; 0.375; 0.75; 0.625; 0.75; 0.875; 0.75 |],
        Grid.centres [| 4; 2 |])
    Assert.Equal<float[]>([| 0.625; 0.25; 0.125; 0.75 |], Grid.centresOf [| 4; 2 |] [| 2; 4 |])

// ----- The learnable embedding's lattice interpolation -----

[<Property(MaxTest = 60)>]
let ``embedding interpolation reproduces the lattice values at lattice points`` () =
    let case = gen {
        let! dims = Gen.choose (1, 3)
        let! resolution = Gen.choose (2, 5)
        let! index = Gen.arrayOfLength dims (Gen.choose (0, resolution - 1))
        return dims, resolution, index }
    forAll case (fun (dims, resolution, index) ->
        let coords = index |> Array.map (fun k -> float k / float (resolution - 1))
        let r = Grid.lattice resolution dims coords
        let cell = Array.fold (fun f k -> f * resolution + k) 0 index
        // All the weight on the lattice point itself (the others get weight 0).
        let onCell = Seq.zip r.Experts r.Weights |> Seq.filter (fun (e, _) -> e = cell) |> Seq.sumBy snd
        abs (onCell - 1.0) < 1e-12 && r.Experts |> Array.forall (fun e -> 0 <= e && e < pown resolution dims))

[<Property(MaxTest = 60)>]
let ``embedding interpolation is exact for a linear function of the coordinate`` () =
    let case = gen {
        let! dims = Gen.choose (1, 3)
        let! resolution = Gen.choose (2, 6)
        let! slope = Gen.arrayOfLength dims (floatIn -3.0 3.0)
        let! offset = floatIn -1.0 1.0
        let! p = Gen.arrayOfLength dims (floatIn 0.0 1.0)
        return dims, resolution, slope, offset, p }
    forAll case (fun (dims, resolution, slope, offset, p) ->
        let f (q: float[]) = offset + Array.fold2 (fun s a x -> s + a * x) 0.0 slope q
        let cells = pown resolution dims
        // The lattice point of flat index c sits at (its per-dimension index) / (resolution - 1).
        let at c = Array.init dims (fun i -> float ((c / pown resolution (dims - 1 - i)) % resolution) / float (resolution - 1))
        let table = Array.init cells (at >> f)
        let r = Grid.lattice resolution dims p
        let value = Seq.zip r.Experts r.Weights |> Seq.sumBy (fun (e, w) -> w * table.[e])
        abs (value - f p) < 1e-9)

[<Property(MaxTest = 100)>]
let ``embedding interpolation clamps coordinates outside [0, 1] to the border`` () =
    let case = gen {
        let! dims = dims
        let! resolution = Gen.choose (2, 6)
        let! p = coordinates dims 1 -1.0 2.0
        return dims, resolution, p }
    forAll case (fun (dims, resolution, p) ->
        let weights (r: Routing) = Array.zip r.Experts r.Weights |> Array.filter (fun (_, w) -> w > 1e-15) |> Array.sort
        let outside, clamped = Grid.lattice resolution dims p, Grid.lattice resolution dims (p |> Array.map (fun x -> min 1.0 (max 0.0 x)))
        outside.Experts |> Array.forall (fun e -> 0 <= e && e < pown resolution dims)
        && outside.Weights |> Array.forall (fun w -> w >= 0.0)
        && (let a, b = weights outside, weights clamped
            a.Length = b.Length && Array.forall2 (fun (e, w) (e2, w2) -> e = e2 && abs (w - w2) < 1e-12) a b))

