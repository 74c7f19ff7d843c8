module LoE.Tests.GradientProperties

open FsCheck.FSharp
open FsCheck.Xunit
open LoE.Core
open LoE.Tests.Generators

let private b = TilingProperties.torch64

/// Central finite differences of a scalar function of flat float64 arrays.
let centralDifferences (f: float[] list -> float) (args: float[] list) (h: float) =
    args |> List.mapi (fun a arg ->
        Array.init arg.Length (fun k ->
            let at delta = args |> List.mapi (fun i x -> if i = a then Array.mapi (fun j v -> if j = k then v + delta else v) x else x)
            (f (at h) - f (at -h)) / (2.0 * h)))

let private case = gen {
    let! t = tile
    let! m = affine t.Length
    let! n = Gen.choose (1, 6)
    let! coords = Gen.arrayOfLength (n * t.Length) (floatIn 0.0 1.0)
    let! inW = Gen.choose (1, 3)
    let! outW = Gen.choose (1, 3)
    let e = Grid.experts t
    let! w = Gen.arrayOfLength (e * inW * outW) (floatIn -1.0 1.0)
    // Per-expert biases [E; out] or one shared bias [out] (the main paper's form).
    let! shared = Gen.elements [ false; true ]
    let! bias = Gen.arrayOfLength ((if shared then 1 else e) * outW) (floatIn -1.0 1.0)
    let! x = Gen.arrayOfLength (n * inW) (floatIn -1.0 1.0)
    let! probe = Gen.arrayOfLength (n * outW) (floatIn -1.0 1.0)
    let! interp = interpolation
    return Grid.route interp m t coords, e, inW, outW, shared, [ w; bias; x ], probe }

[<Property(MaxTest = 60)>]
let ``expert-linear gradients (weights, bias, inputs) equal central finite differences in float64`` () =
    forAll case (fun (r, e, inW, outW, shared, args, probe) ->
        let shapes = [ [| e; inW; outW |]; (if shared then [| outW |] else [| e; outW |]); [| r.Count; inW |] ]
        let probeT = b.tensor probe [| r.Count; outW |]
        // A scalar that weighs every output differently, so every output's gradient is checked.
        let loss (ts: TorchBackend.T list) = b.sum (b.mul (b.expertLinear (Backend.routed b false r) ts.[0] ts.[1] ts.[2]) probeT)
        let tensors = List.map2 b.tensor args shapes
        let _, grads = b.valueAndGrad loss tensors
        let numeric = centralDifferences (fun xs -> loss (List.map2 b.tensor xs shapes) |> Backend.scalar b) args 1e-6
        List.forall2 (fun g (fd: float[]) ->
            Array.forall2 (fun a n -> abs (a - n) <= 1e-6 * (1.0 + abs n)) (b.toArray g) fd) grads numeric)
