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

[<Property>]
let ``N-linear equals nearest at cell centres`` () =
    // Place A p + b exactly at a cell centre k + 0.5 by choosing b for the generated A and p.
    forAll (Gen.zip tiledPoint (Gen.arrayOfLength 3 (Gen.choose (-20, 20)))) (fun ((t, m, p), cells) ->
        let u = Grid.affine { m with B = Array.zeroCreate t.Length } p
        let centred = { m with B = Array.init t.Length (fun i -> float cells.[i] + 0.5 - u.[i]) }
        let weights = Grid.nlinear centred t p |> Array.groupBy fst |> Array.map (fun (e, ws) -> e, Array.sumBy snd ws)
        let nearest = Grid.nearest centred t p
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
