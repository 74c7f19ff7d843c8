module LoE.Tests.GridProperties

open System
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open LoE.Core
open LoE.Tests.Generators

let private shiftB (m: AffineMap) (dim: int) (by: float) =
    { m with B = m.B |> Array.mapi (fun i b -> if i = dim then b + by else b) }

[<Property>]
let ``nearest index lies within the tile`` () =
    forAll tiledPoint (fun (t, m, p) ->
        let index = Grid.nearestIndex m t p
        Array.forall2 (fun i ti -> 0 <= i && i < ti) index t
        && (let f = Grid.nearest m t p in 0 <= f && f < Grid.experts t))

[<Property>]
let ``nearest index equals floor(A p + b) mod t, with a non-negative mod`` () =
    forAll tiledPoint (fun (t, m, p) ->
        let u = Grid.affine m p
        let expected = Array.init t.Length (fun i -> (let r = Math.Floor u.[i] % float t.[i] in if r < 0.0 then r + float t.[i] else r) |> int)
        Grid.nearestIndex m t p = expected)

[<Property>]
let ``nearest index is unchanged when A p + b moves by a whole tile period`` () =
    forAll (Gen.zip tiledPoint (Gen.choose (-3, 3))) (fun ((t, m, p), periods) ->
        let before = Grid.nearestIndex m t p
        Seq.forall (fun dim -> Grid.nearestIndex (shiftB m dim (float (periods * t.[dim]))) t p = before) [ 0 .. t.Length - 1 ])

[<Property>]
let ``moving A p + b by one cell moves the index by one, wrapping around the tile`` () =
    forAll tiledPoint (fun (t, m, p) ->
        let before = Grid.nearestIndex m t p
        Seq.forall (fun dim ->
            let after = Grid.nearestIndex (shiftB m dim 1.0) t p
            after.[dim] = (before.[dim] + 1) % t.[dim]) [ 0 .. t.Length - 1 ])

[<Property>]
let ``N-linear weights are non-negative and sum to 1 over 2^d experts within the tile`` () =
    forAll tiledPoint (fun (t, m, p) ->
        let corners = Grid.nlinear m t p
        corners.Length = (1 <<< t.Length)
        && corners |> Array.forall (fun (e, w) -> w >= 0.0 && w <= 1.0 && 0 <= e && e < Grid.experts t)
        && abs ((corners |> Array.sumBy snd) - 1.0) < 1e-9)

/// The blend's weights per expert when A p + b is placed exactly at `offset` + an integer cell index (b chosen
/// for the generated A and p).
let private weightsAt (interp: Interpolation) (offset: float) ((t: int[], m, p), cells: int[]) =
    let u = Grid.affine { m with B = Array.zeroCreate t.Length } p
    let placed = { m with B = Array.init t.Length (fun i -> float cells.[i] + offset - u.[i]) }
    let weights =
        (Grid.route interp placed t p).Experts
        |> Array.zip (Grid.route interp placed t p).Weights
        |> Array.groupBy snd |> Array.map (fun (e, ws) -> e, Array.sumBy fst ws)
    weights, Grid.nearest placed t p

[<Property>]
let ``paper N-linear (eq. 4) puts all the weight on expert j mod t at grid vertex j`` () =
    // A vertex is a border of nearest's cells, so nearest may fall either side there by rounding; the blend
    // is continuous and must give expert (j mod t) all the weight.
    forAll (Gen.zip tiledPoint (Gen.arrayOfLength 3 (Gen.choose (-20, 20)))) (fun (((t, _, _), cells) as case) ->
        let weights, _ = weightsAt Interpolation.NLinear 0.0 case
        let peak = Grid.flatten t (Array.init t.Length (fun i -> Grid.modulo cells.[i] t.[i]))
        weights |> Array.forall (fun (e, w) -> if e = peak then abs (w - 1.0) < 1e-6 else abs w < 1e-6))

[<Property>]
let ``paper N-linear splits a cell centre equally between the cell's expert and the next one`` () =
    // Half a cell from nearest: at u = k + 0.5 in 1-D, experts k and k+1 (mod t) get 1/2 each.
    forAll (Gen.zip (Gen.zip (Gen.choose (2, 4)) (floatIn -3.0 3.0)) (Gen.choose (-20, 20))) (fun ((t, a), k) ->
        let m = { A = Array2D.create 1 1 a; B = [| float k + 0.5 - a * 0.3 |] }
        let r = Grid.route Interpolation.NLinear m [| t |] [| 0.3 |]
        let expect = set [ Grid.modulo k t; Grid.modulo (k + 1) t ]
        set r.Experts = expect && r.Weights |> Array.forall (fun w -> abs (w - 0.5) < 1e-9))

[<Property>]
let ``cell-centred N-linear equals nearest at cell centres`` () =
    forAll (Gen.zip tiledPoint (Gen.arrayOfLength 3 (Gen.choose (-20, 20)))) (fun case ->
        let weights, nearest = weightsAt Interpolation.NLinearCentred 0.5 case
        weights |> Array.forall (fun (e, w) -> if e = nearest then abs (w - 1.0) < 1e-6 else abs w < 1e-6))

[<Property>]
let ``N-linear is continuous across cell boundaries`` () =
    // Tiny moves of the coordinate change the blended weights per expert only a little.
    forAll tiledPoint (fun (t, m, p) ->
        let weightsOf q = Grid.nlinear m t q |> Array.groupBy fst |> Map.ofArray |> Map.map (fun _ ws -> Array.sumBy snd ws)
        let q = p |> Array.map (fun x -> x + 1e-9)
        let a, b = weightsOf p, weightsOf q
        let keys = Seq.append a.Keys b.Keys |> Seq.distinct
        keys |> Seq.forall (fun e ->
            let get (w: Map<int, float>) = w.TryFind e |> Option.defaultValue 0.0
            abs (get a - get b) < 1e-5))
