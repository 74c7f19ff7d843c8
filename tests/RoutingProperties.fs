/// Routing, lattice routing and the positional encoding as backend ops on the device, held to the per-point
/// specification in Grid and Encoding on both backends.
module LoE.Tests.RoutingProperties

open FsCheck.FSharp
open FsCheck.Xunit
open LoE.Core
open LoE.Tests.Generators

let private torch32 = TorchBackend.create "cpu" false
let private torch64 = TilingProperties.torch64
let private reference = ReferenceBackend.create ()

/// Points for a map: random ones (negative and beyond 1 included) and points placed exactly on cell borders
/// of the map (u = A p + b an integer, or an integer ± 0.5 where N-linear weights switch neighbours) and one
/// float64 step either side of them. Border points are built for axis-aligned maps with power-of-two scales,
/// where p = (k - b) / a is exact, so the border is hit in float64 for real.
let private routingCase = gen {
    let! t = tile
    let d = t.Length
    let! aligned = Gen.elements [ true; false ]
    let! m =
        if aligned then gen {
            let! scales = Gen.arrayOfLength d (Gen.choose (0, 6) |> Gen.map (fun k -> float (1 <<< k)))
            let! halves = Gen.arrayOfLength d (Gen.elements [ 0.0; 0.5; -0.5 ])
            return { A = Array2D.init d d (fun r c -> if r = c then scales.[r] else 0.0); B = halves } }
        else affine d
    let border = gen {
        let! p = Gen.arrayOfLength d (gen {
            let! k = Gen.choose (-70, 70)
            let! half = Gen.elements [ 0.0; 0.5 ]
            let! nudge = Gen.elements [ 0; 0; -1; 1 ]
            return float k + half, nudge })
        return p |> Array.mapi (fun i (u, nudge) ->
            let x = (u - m.B.[i]) / m.A.[i, i]
            if nudge = 0 then x elif nudge > 0 then System.Math.BitIncrement x else System.Math.BitDecrement x) }
    let random = Gen.arrayOfLength d (floatIn -2.0 3.0)
    let! n = Gen.choose (1, 40)
    let! points = Gen.arrayOfLength n (if aligned then Gen.oneof [ border; random ] else random)
    let! interp = interpolation
    return interp, m, t, Array.concat points }

/// The backend's routing as arrays, to compare with Grid.route.
let private routeOn (b: Backend<'T>) interp m (t: int[]) (coords: float[]) =
    let r = b.route interp m t false (b.points coords [| coords.Length / t.Length; t.Length |])
    (b.toArray r.Experts |> Array.map int), b.toArray r.Weights, r

/// Routing is computed on the device from float64 points, term by term as Grid.affine computes it (a product,
/// then a sum, never fused), so experts agree exactly, at cell borders too: there is no tolerance on experts. Only
/// the N-linear weights are then rounded to the model's precision (relative 2^-24 in float32).
[<Property(MaxTest = 300)>]
let ``device routing equals Grid.route on both backends and precisions, at cell borders too`` () =
    forAll routingCase (fun (interp, m, t, coords) ->
        let spec = Grid.route interp m t coords
        let agrees (b: Backend<'T>) (tolerance: float) =
            let experts, weights, r = routeOn b interp m t coords
            r.Count = spec.Count && r.K = spec.K && r.TileExperts = spec.TileExperts
            && experts = spec.Experts
            && Array.forall2 (fun (w: float) (s: float) -> abs (w - s) <= tolerance * max 1.0 (abs s)) weights spec.Weights
        agrees torch64 0.0 && agrees torch32 1e-7 && agrees reference 0.0)

let private latticeCase = gen {
    let! d = Gen.choose (1, 3)
    let! resolution = Gen.choose (2, 9)
    let! n = Gen.choose (1, 30)
    // Lattice points k / (R - 1) exactly, and points outside [0, 1] (clamped).
    let onLattice = Gen.choose (0, resolution - 1) |> Gen.map (fun k -> float k / float (resolution - 1))
    let! coords = Gen.arrayOfLength (n * d) (Gen.oneof [ floatIn -0.5 1.5; onLattice ])
    return d, resolution, coords }

[<Property(MaxTest = 200)>]
let ``device lattice routing equals Grid.lattice on both backends`` () =
    forAll latticeCase (fun (d, resolution, coords) ->
        let spec = Grid.lattice resolution d coords
        let agrees (b: Backend<'T>) =
            let r = b.lattice resolution false (b.points coords [| coords.Length / d; d |])
            (b.toArray r.Experts |> Array.map int) = spec.Experts && b.toArray r.Weights = spec.Weights
        agrees torch64 && agrees reference)

let private encodingCase = gen {
    let! d = Gen.choose (1, 3)
    let! frequencies = Gen.choose (0, 13)
    let! n = Gen.choose (1, 20)
    let! coords = Gen.arrayOfLength (n * d) (floatIn -1.0 2.0)
    return d, frequencies, coords }

/// libtorch's vectorised sine and .NET's Math.Sin may differ in the last bit of float64; at 2^12 π the angle
/// itself is ~1.3e4, so agreement is to 1e-12 absolute, far below float32's resolution.
[<Property(MaxTest = 200)>]
let ``device positional encoding equals Encoding.positional on both backends`` () =
    forAll encodingCase (fun (d, frequencies, coords) ->
        let spec = Encoding.positional d frequencies coords
        let on (b: Backend<'T>) = b.toArray (b.positional frequencies (b.points coords [| coords.Length / d; d |]))
        Array.forall2 (fun a s -> abs (a - s) <= 1e-12) (on torch64) spec && on reference = spec)
