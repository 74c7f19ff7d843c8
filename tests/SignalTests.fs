module LoE.Tests.SignalTests

open System
open System.Threading
open FsCheck.FSharp
open FsCheck.Xunit
open Xunit
open LoE.Core
open LoE.Tests.Generators

// ----- SSIM (Wang et al. 2004) -----

let private plane = gen {
    let! w = Gen.choose (11, 20)
    let! h = Gen.choose (11, 20)
    let! values = Gen.arrayOfLength (w * h) (floatIn 0.0 1.0)
    return w, h, values }

[<Property(MaxTest = 40)>]
let ``ssim of an image with itself is 1`` () =
    forAll plane (fun (w, h, x) -> abs (Metrics.ssimPlane w h x x - 1.0) < 1e-12)

[<Property(MaxTest = 40)>]
let ``ssim is symmetric and at most 1`` () =
    forAll (Gen.zip plane (Gen.choose (0, 1000))) (fun ((w, h, x), seed) ->
        let rng = Random(seed)
        let y = Array.init x.Length (fun _ -> rng.NextDouble())
        let a, b = Metrics.ssimPlane w h x y, Metrics.ssimPlane w h y x
        abs (a - b) < 1e-12 && a <= 1.0 + 1e-12)

[<Property(MaxTest = 30)>]
let ``ssim decreases as more noise is added`` () =
    forAll (Gen.zip plane (Gen.choose (0, 1000))) (fun ((w, h, x), seed) ->
        let rng = Random(seed)
        let noise = Array.init x.Length (fun _ -> rng.NextDouble() - 0.5)
        let noisy s = Array.map2 (fun v n -> v + s * n) x noise
        let a, b, c = Metrics.ssimPlane w h x (noisy 0.05), Metrics.ssimPlane w h x (noisy 0.2), Metrics.ssimPlane w h x (noisy 0.6)
        1.0 > a && a > b && b > c)

[<Fact>]
let ``ssim of two constant images is (2ab + C1) / (a² + b² + C1), computed by hand`` () =
    // Constant planes have no variance or covariance: the structure term is C2 / C2 = 1 and the luminance term
    // is (2·0.5·0.25 + 0.0001) / (0.25 + 0.0625 + 0.0001) = 0.2501 / 0.3126.
    let x, y = Array.create (16 * 12) 0.5, Array.create (16 * 12) 0.25
    Assert.Equal(0.2501 / 0.3126, Metrics.ssimPlane 16 12 x y, 12)

[<Fact>]
let ``ssim of a signal averages its channels and frames`` () =
    let rng = Random(1)
    let a = Array.init (12 * 12 * 3 * 2) (fun _ -> float32 (rng.NextDouble()))
    Assert.Equal(1.0, Metrics.ssim [| 12; 12; 2 |] 3 a a, 12)

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
        abs (onCell - 1.0) < 1e-12)

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

// ----- SIREN initialisation -----

[<Property(MaxTest = 30)>]
let ``SIREN's initial weights lie within ±1/in (first layer) and ±sqrt(6/in)/omega0 (others)`` () =
    forAll (Gen.zip (Gen.choose (1, 300)) (Gen.choose (0, 1000))) (fun (fanIn, seed) ->
        let first = Init.sirenFirst (Random(seed)) fanIn 500
        let hidden = Init.sirenHidden (Random(seed)) 30.0 fanIn 500
        first |> Array.forall (fun w -> abs w <= 1.0 / float fanIn)
        && hidden |> Array.forall (fun w -> abs w <= sqrt (6.0 / float fanIn) / 30.0)
        // and they use the range: some draw lands in its outer half.
        && first |> Array.exists (fun w -> abs w > 0.5 / float fanIn))

[<Fact>]
let ``a sine network's parameters follow SIREN's bounds layer by layer`` () =
    let spec =
        { ModelSpec.toy 0 [| 32; 32 |] [| 1; 1; 1 |] (Layouts.scales 3 [| 0.0; 0.0 |]) Interpolation.Nearest 0.2 with
            Input = InputMapping.Raw; Activation = Activation.Sine; Omega0 = 30.0 }
    let b = ReferenceBackend.create ()
    let ps = Component.init b (Networks.signal b spec 3) 0
    let maxAbs name = ps.[name] |> b.toArray |> Array.map abs |> Array.max
    Assert.True(maxAbs "layer01.weight" <= 1.0 / 3.0)
    Assert.True(maxAbs "layer02.weight" <= sqrt (6.0 / 32.0) / 30.0)
    Assert.True(maxAbs "layer03.weight" <= sqrt (6.0 / 32.0) / 30.0)
    Assert.Equal<int[]>([| 3; 32 |], b.shape ps.["layer01.weight"])

// ----- Table 6's layouts -----

[<Fact>]
let ``the coarse-to-fine layout is 4, 4^(i-1)·2 capped at the image side in pixels`` () =
    let scalesFor side = Layouts.sized "coarse-to-fine" 7 2 0.0 0 [| side; side |] |> Array.map (fun m -> m.A.[0, 0])
    Assert.Equal<float[]>([| 4.0; 8.0; 32.0; 128.0; 512.0; 2048.0; 8192.0 |], scalesFor 8192)
    Assert.Equal<float[]>([| 4.0; 8.0; 32.0; 128.0; 512.0; 512.0; 512.0 |], scalesFor 512)
    Assert.Equal<float[]>([| 4.0; 8.0; 32.0; 128.0; 128.0; 128.0; 128.0 |], scalesFor 128)
    Assert.Equal<float[]>([| 4.0; 8.0; 20.0; 20.0; 20.0; 20.0; 20.0 |], scalesFor 20)
    // Per dimension for a non-square image, and b = 0.
    let m = (Layouts.sized "coarse-to-fine" 7 2 0.0 0 [| 300; 100 |]).[4]
    Assert.Equal((300.0, 100.0, 0.0, 0.0), (m.A.[0, 0], m.A.[1, 1], m.A.[0, 1], m.B.[0]))
    Assert.Equal<float[]>([| 64.0; 64.0 |], (Layouts.sized "interleaved" 3 2 0.0 0 [| 64; 64 |]).[2].A |> Seq.cast<float> |> Seq.filter ((<>) 0.0) |> Array.ofSeq)

[<Property(MaxTest = 30)>]
let ``at the cap no two pixel centres of one layer share a grid cell`` () =
    forAll (Gen.choose (1, 64)) (fun side ->
        let coords = Grid.pixelCentres side side
        Layouts.sized "coarse-to-fine" 7 2 0.0 0 [| side; side |]
        |> Array.forall (fun m ->
            let s = m.A.[0, 0]
            // Cells per unit never exceed pixels per unit.
            s <= float side
            && (s < float side || (Seq.init (side * side) (fun i -> floor (s * coords.[2 * i]), floor (s * coords.[2 * i + 1])) |> Seq.distinct |> Seq.length) = side * side)))

// ----- Batched routing -----

[<Property(MaxTest = 200)>]
let ``batched routing equals the per-point functions, nearest and N-linear, in 1-3 dimensions`` () =
    let case = gen {
        let! t = tile
        let! m = affine t.Length
        let! n = Gen.choose (0, 20)
        let! coords = Gen.arrayOfLength (n * t.Length) (floatIn 0.0 1.0)
        let! interp = interpolation
        return interp, m, t, coords }
    forAll case (fun (interp, m, t, coords) -> Grid.route interp m t coords = Grid.routeSlow interp m t coords)

// ----- Random-batch training -----

let private smallRgb size =
    let rng = Random(5)
    { Size = [| size; size |]; Channels = 3; Values = Array.init (size * size * 3) (fun _ -> float32 (rng.NextDouble())) }

let private batchModel =
    ModelSpec.toy 3 [| 8; 8 |] [| 2; 2 |] (Layouts.sized "coarse-to-fine" 2 2 0.0 0 [| 16; 16 |]) Interpolation.Nearest 0.2

let private batchTrain =
    { Iterations = 12; LearningRate = 0.01; LrDecayAt = [| 6 |]; LrDecayFactor = 0.1; Beta1 = 0.9; Beta2 = 0.999
      Epsilon = 1e-8; Seed = 3; LogEvery = 2; BatchSize = 40 }

[<Fact>]
let ``each iteration's random sample depends only on the seed and the iteration`` () =
    Assert.Equal<int[]>(Fit.sampleIndices 3 7 100 256, Fit.sampleIndices 3 7 100 256)
    Assert.NotEqual<int[]>(Fit.sampleIndices 3 7 100 256, Fit.sampleIndices 3 8 100 256)
    Assert.NotEqual<int[]>(Fit.sampleIndices 3 7 100 256, Fit.sampleIndices 4 7 100 256)
    Assert.True(Fit.sampleIndices 3 7 5000 256 |> Array.forall (fun i -> i >= 0 && i < 256))
    Assert.Equal(256, Fit.sampleIndices 1 0 20000 256 |> Array.distinct |> Array.length)

[<Fact>]
let ``random-batch training resumed from a checkpoint ends exactly as an uninterrupted run`` () =
    let backend = { Name = "torch"; Device = "cpu"; Float64 = true; Threads = 0 }
    let target = smallRgb 16
    let checkpoints = ResizeArray<Checkpoint>()
    let hooks every resume =
        { OnProgress = Action<_> ignore; CheckpointEvery = every; OnCheckpoint = Action<_> checkpoints.Add
          Resume = resume; Cancel = CancellationToken.None }
    let whole = Fit.runSignalWith backend batchModel batchTrain target (hooks 5 Unchecked.defaultof<_>)
    let atFive = checkpoints |> Seq.find (fun c -> c.Iteration = 5)
    let final = checkpoints |> Seq.find (fun c -> c.Iteration = 12)
    checkpoints.Clear()
    let resumed = Fit.runSignalWith backend batchModel batchTrain target (hooks 5 atFive)
    let resumedFinal = checkpoints |> Seq.find (fun c -> c.Iteration = 12)
    Assert.Equal<float[][]>(final.Parameters, resumedFinal.Parameters)
    Assert.Equal<float[]>(whole.History |> Array.map (fun p -> p.Loss), resumed.History |> Array.map (fun p -> p.Loss))
    Assert.Equal(whole.PsnrDb, resumed.PsnrDb)

[<Fact>]
let ``a model with a learnable embedding trains on random batches on both backends alike`` () =
    let model = { batchModel with EmbeddingChannels = 4; EmbeddingResolution = 3; Input = InputMapping.Constant; Tiles = [| [| 2; 2 |]; [| 1; 1 |] |] }
    let train = { batchTrain with Iterations = 4 }
    let target = smallRgb 8
    let run name = Fit.runSignalWith { Name = name; Device = "cpu"; Float64 = true; Threads = 0 } model train target (Fit.progressOnly ignore CancellationToken.None)
    let t, r = run "torch", run "reference"
    Assert.Equal(t.History.Length, r.History.Length)
    Array.iter2 (fun (a: Progress) (b: Progress) -> Assert.True(abs (a.Loss - b.Loss) <= 1e-9 * b.Loss)) t.History r.History
    Assert.True(t.Ssim > -1.0 && t.Ssim < 1.0)
    Assert.Equal(4L * t.ParameterCount, t.ParameterBytes)
