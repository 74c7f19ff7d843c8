module LoE.Tests.BackendAgreementProperties

open System.Threading
open FsCheck.FSharp
open FsCheck.Xunit
open LoE.Core
open LoE.Tests.Generators
open LoE.Tests.ReferenceProperties

let private torch = TilingProperties.torch64

/// Value and gradients of a probed function on one backend, as plain arrays.
let private valueAndGrads (b: Backend<'T>) (f: 'T list -> 'T) (shapes: int[] list) (args: float[] list) =
    let value, grads = b.valueAndGrad f (List.map2 b.tensor args shapes)
    value, grads |> List.map b.toArray

let private agree (shapes: int[] list) (args: float[] list) (onTorch: TorchBackend.T list -> TorchBackend.T) (onReference: ReferenceBackend.T list -> ReferenceBackend.T) =
    let tv, tg = valueAndGrads torch onTorch shapes args
    let rv, rg = valueAndGrads reference onReference shapes args
    closeTo 1e-9 [| rv |] [| tv |] && List.forall2 (closeTo 1e-9) rg tg

[<Property(MaxTest = 300)>]
let ``torch and reference agree on every op's values and gradients`` () =
    forAll opCase (fun c ->
        let forward (b: Backend<'T>) = apply b c.Op (List.map2 b.tensor c.Args c.Shapes)
        let tShape, rShape = torch.shape (forward torch), reference.shape (forward reference)
        (tShape = rShape
         && closeTo 1e-9 (reference.toArray (forward reference)) (torch.toArray (forward torch))
         && agree c.Shapes c.Args (probed torch c) (probed reference c))
        |> Prop.label $"{c.Op} on %A{c.Shapes}")

[<Property(MaxTest = 40)>]
let ``torch and reference agree on expert-linear values and gradients in 1-3 dimensions, nearest and N-linear`` () =
    forAll everyExpertKind (fun cases ->
        cases |> List.forall (fun (r, shapes, args, probe) -> agree shapes args (expertLoss torch r probe) (expertLoss reference r probe)))

[<Property(MaxTest = 100)>]
let ``torch and reference agree on embedding-interpolation values and gradients in 1-3 dimensions`` () =
    forAll interpolateCase (fun (r, shapes, args, probe) -> agree shapes args (interpolateLoss torch r probe) (interpolateLoss reference r probe))

/// A parameter update case: parameters, per-step gradients, and a step-decay schedule.
let private adamCase = gen {
    let! shapes = Gen.listOfLength 2 (Gen.elements [ [| 3 |]; [| 2; 3 |]; [| 1 |]; [| 4; 1 |] ])
    let size (s: int[]) = Array.fold (*) 1 s
    let! ps = shapes |> List.map (fun s -> Gen.arrayOfLength (size s) (floatIn -1.0 1.0)) |> Gen.sequenceToList
    let! steps = Gen.choose (1, 6)
    let! grads =
        Gen.listOfLength steps (shapes |> List.map (fun s -> Gen.arrayOfLength (size s) (floatIn -1.0 1.0)) |> Gen.sequenceToList)
    let! lr = floatIn 1e-4 1e-1
    let! milestones = Gen.arrayOf (Gen.choose (0, 6))
    let! beta2 = Gen.elements [ 0.995; 0.999 ]
    return shapes, ps, grads, lr, milestones, beta2 }

let private adamRun (b: Backend<'T>) shapes ps grads lr milestones beta2 =
    let cfg = { Adam.Beta1 = 0.9; Beta2 = beta2; Epsilon = 1e-8 }
    let tensors xs = List.map2 b.tensor xs shapes
    let start = tensors ps
    grads
    |> List.indexed
    |> List.fold (fun (ps, state) (it, g) ->
        Optim.adamStep b cfg (Optim.stepDecay lr milestones 0.1 it) state ps (tensors g)) (start, Optim.adamInit b start)
    |> fst |> List.map b.toArray

[<Property(MaxTest = 60)>]
let ``Adam with a step-decay schedule makes the same parameter updates on torch and reference`` () =
    // Equal to rounding, not bit for bit: torch's vectorised CPU kernels may fuse a multiply-add that .NET rounds
    // twice, which shows up in the last bit for some inputs.
    forAll adamCase (fun (shapes, ps, grads, lr, milestones, beta2) ->
        List.forall2 (Array.forall2 (fun t r -> abs (t - r) <= 1e-13 * (1.0 + abs t)))
            (adamRun torch shapes ps grads lr milestones beta2) (adamRun reference shapes ps grads lr milestones beta2))

/// A tiny image and network to fit for a few steps.
let private fitCase = gen {
    let! size = Gen.choose (3, 8)
    let! pixels = Gen.arrayOfLength (size * size) (floatIn 0.0 1.0)
    let! depth = Gen.choose (1, 3)
    let! widths = Gen.arrayOfLength depth (Gen.choose (2, 8))
    let! tile = Gen.arrayOfLength 2 (Gen.choose (1, 3))
    let! layout = Gen.elements [ "pe-mlp"; "quad-tree"; "gray-code"; "fine-to-coarse"; "random-affine" ]
    let! interp = interpolation
    let! freqs = Gen.choose (0, 3)
    let! seed = Gen.choose (0, 10000)
    let! lr = floatIn 1e-3 1e-2
    let! steps = Gen.choose (2, 5)
    let image = { Width = size; Height = size; Channels = 1; Pixels = pixels |> Array.map float32 }
    let model = ModelSpec.toy freqs widths tile (Layouts.preset layout depth 2 4.0 seed) interp 0.2
    let train = { Iterations = steps; LearningRate = lr; LrDecayAt = [| steps / 2 |]; LrDecayFactor = 0.1
                  Adam = { Beta1 = 0.9; Beta2 = 0.995; Epsilon = 1e-8 }; Seed = seed; LogEvery = 1; BatchSize = 0 }
    return image, model, train }

[<Property(MaxTest = 15)>]
let ``the toy network's loss trajectory over a few Adam steps is the same on torch and reference`` () =
    forAll fitCase (fun (image, model, train) ->
        let losses (result: FitResult) = result.History |> Array.map (fun p -> p.Loss)
        let t = Fit.trainSignal torch model train (Fit.ofImage image) (Fit.progressOnly ignore CancellationToken.None) |> losses
        // The reference side through Fit.run, the entry point the host uses.
        let r = Fit.runSignalWith Backends.reference model train (Fit.ofImage image) (Fit.progressOnly ignore CancellationToken.None) |> losses
        t.Length = train.Iterations && Array.forall2 (fun a e -> abs (a - e) <= 1e-6 * abs e) r t)

[<Property(MaxTest = 10)>]
let ``Compare.backends reports agreement to rounding for every parameter and step`` () =
    forAll fitCase (fun (image, model, train) ->
        let report = Compare.backends model train (Fit.ofImage image) train.Iterations
        report.Steps.Length = train.Iterations
        && report.Parameters.Length = 2 * (model.HiddenWidths.Length + 1)
        && report.Steps |> Array.forall (fun s -> s.RelativeDifference < 1e-9)
        && report.Parameters |> Array.forall (fun p -> p.FirstGradient < 1e-9 && p.AfterSteps < 1e-9))

/// Sizes past the register blocks (4 rows × 2 SIMD vectors), with ragged edges, and past the threshold where the
/// kernels split work over both cores; the op cases above are too small to reach those code paths.
let private largeCase = gen {
    let! n = Gen.choose (1, 400)
    let! inW = Gen.choose (1, 20)
    let! outW = Gen.choose (1, 20)
    let! t = Gen.arrayOfLength 2 (Gen.choose (1, 3))
    let! m = affine 2
    let! interp = interpolation
    let! coords = Gen.arrayOfLength (n * 2) (floatIn 0.0 1.0)
    let e = Grid.experts t
    let values k = Gen.arrayOfLength k (floatIn -1.0 1.0)
    let! w = values (e * inW * outW)
    let! bias = values (e * outW)
    let! x = values (n * inW)
    let! dense = values (inW * outW)
    let! probe = values (n * outW)
    let! wide = Gen.choose (1, 150)
    let! row = values wide
    let! column = values n
    let! grid = values (n * wide)
    return Grid.route interp m t coords, (e, inW, outW), [ w; bias; x; dense ], probe, (wide, row, column, grid) }

[<Property(MaxTest = 30)>]
let ``torch and reference agree at sizes that take the SIMD and multi-core paths`` () =
    forAll largeCase (fun (r, (e, inW, outW), args, probe, (wide, row, column, grid)) ->
        let n = r.Count
        let layer (b: Backend<'T>) (ts: 'T list) =
            let y = b.add (b.expertLinear (Backend.routed b false r) ts.[0] ts.[1] ts.[2]) (b.matmul ts.[2] ts.[3])
            b.sum (b.mul (b.leakyRelu 0.2 y) (b.tensor probe [| n; outW |]))
        let elementwise (b: Backend<'T>) (ts: 'T list) =
            // [n; m] with [m] and with [n; 1], then element-wise functions over n × m values.
            let z = b.mul (b.add ts.[0] ts.[1]) (b.sub ts.[0] ts.[2])
            b.sum (b.mul (b.sin z) (b.cos (b.scale 0.5 z)))
        agree [ [| e; inW; outW |]; [| e; outW |]; [| n; inW |]; [| inW; outW |] ] args (layer torch) (layer reference)
        && agree [ [| n; wide |]; [| wide |]; [| n; 1 |] ] [ grid; row; column ] (elementwise torch) (elementwise reference))

/// Rows of bin edges, weights (some bins empty) and uniforms for inverse-CDF sampling.
let inverseCdfCase = gen {
    let! n = Gen.choose (1, 5)
    let! bins = Gen.choose (1, 8)
    let! m = Gen.choose (1, 12)
    let! starts = Gen.arrayOfLength n (floatIn -1.0 1.0)
    let! widths = Gen.arrayOfLength (n * bins) (floatIn 0.01 1.0)
    let edges = Array.init (n * (bins + 1)) (fun j -> let r, i = j / (bins + 1), j % (bins + 1) in starts.[r] + Array.sum widths.[r * bins .. r * bins + i - 1])
    let! weights = Gen.arrayOfLength (n * bins) (Gen.oneof [ Gen.constant 0.0; floatIn 0.0 2.0 ])
    // Not all zero in a row: one positive weight per row.
    let weights = weights |> Array.mapi (fun j w -> if j % bins = 0 then w + 0.1 else w)
    let! u = Gen.arrayOfLength (n * m) (floatIn 0.0 0.999999)
    return n, bins, m, edges, weights, u }

[<Property(MaxTest = 200)>]
let ``torch's inverse-CDF sampling equals Reference.Sampling.inverseCdf, the specification`` () =
    forAll inverseCdfCase (fun (n, bins, m, edges, weights, u) ->
        let run (b: Backend<'T>) = b.inverseCdf (b.points edges [| n; bins + 1 |]) (b.tensor weights [| n; bins |]) (b.points u [| n; m |]) |> b.toArray
        let spec = Reference.Sampling.inverseCdf edges weights u n
        closeTo 1e-9 (run torch) spec && closeTo 1e-12 (run reference) spec)

[<Property(MaxTest = 100)>]
let ``torch and reference sort rows alike`` () =
    forAll (gen {
        let! n = Gen.choose (1, 4)
        let! k = Gen.choose (1, 9)
        let! x = Gen.arrayOfLength (n * k) (floatIn -3.0 3.0)
        return n, k, x }) (fun (n, k, x) ->
        let sorted (b: Backend<'T>) = b.sortLast (b.points x [| n; k |]) |> b.toArray
        sorted torch = sorted reference
        && sorted reference |> Array.chunkBySize k |> Array.forall (fun r -> r = Array.sort r))
