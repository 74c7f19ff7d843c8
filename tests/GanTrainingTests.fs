/// The GAN as an objective of the one training loop (core/Gan/Training.fs), end to end on tiny data.
module LoE.Tests.GanTrainingTests

open System
open System.Threading
open Xunit
open LoE.Core
open LoE.Core.Gan

/// 16 one-channel 8 × 8 images of a bright 3 × 3 square at different places.
let private squares =
    Array.init 16 (fun k ->
        let x0, y0 = k % 4 + 1, k / 4 + 1
        { Width = 8; Height = 8; Channels = 1
          Pixels = Array.init 64 (fun i -> let x, y = i % 8, i / 8 in if x >= x0 && x < x0 + 3 && y >= y0 && y < y0 + 3 then 1.0f else 0.0f) })

let private generator : GeneratorSpec =
    { GanModelTests.tinyGenerator with LatentDim = 4; Width = 16; InnerWidth = 8; Channels = 1; EmbeddingChannels = 0; EmbeddingResolution = 0 }

let private discriminator : DiscriminatorSpec = { Channels = 1; Widths = [| 8; 8; 8; 8; 1 |]; NegativeSlope = 0.2; PowerIterations = 1 }

let private hooks (into: ResizeArray<Checkpoint>) (every: int) (resume: Checkpoint) =
    { OnProgress = Action<_> ignore; CheckpointEvery = every; OnCheckpoint = Action<_> into.Add; Resume = resume
      Cancel = CancellationToken.None }

/// The reference backend: faster than torch for networks this small.
let private backend = Backends.reference

[<Fact>]
let ``a tiny GAN trains: both losses move and the samples change`` () =
    let t = { Training.paper 60 4 3 with LearningRate = 2e-3 }
    let before = { Training.paper 0 4 3 with LearningRate = 2e-3 }
    let r0 = Training.trainWith backend generator discriminator before squares (hooks (ResizeArray()) 0 Unchecked.defaultof<_>)
    let r = Training.trainWith backend generator discriminator t squares (hooks (ResizeArray()) 0 Unchecked.defaultof<_>)
    Assert.Equal(60, r.Losses.Length)
    let spread (xs: float[]) = Array.max xs - Array.min xs
    let ds, gs = r.Losses |> Array.map (fun (_, d, _) -> d), r.Losses |> Array.map (fun (_, _, g) -> g)
    Assert.True(Array.forall Double.IsFinite ds && Array.forall Double.IsFinite gs)
    Assert.True(spread ds > 0.05 && spread gs > 0.05, $"L_D spread {spread ds}, L_G spread {spread gs}")
    let samples (res: GanResult) = Training.samplesWith backend generator res.Names res.Shapes res.Values 8 4 11 |> Array.collect (fun i -> i.Pixels)
    let a, b = samples r0, samples r
    let change = Array.map2 (fun (x: float32) y -> abs (x - y)) a b |> Array.max
    Assert.True(change > 0.05f, $"samples changed by at most {change}")
    // The spectral-norm state moved with training (so checkpoints have something to keep).
    let u name (res: GanResult) = res.Values.[Array.findIndex ((=) name) res.Names]
    let uName = Discriminator.stateName "d.full.conv2.weight"
    Assert.True(Array.map2 (fun x y -> abs (x - y)) (u uName r0) (u uName r) |> Array.max > 1e-6)

[<Theory>]
[<InlineData(0.0)>]
[<InlineData(0.9)>]
let ``a resumed GAN run continues exactly, spectral-norm state and the generator's average included`` (ema: float) =
    let t = { Training.paper 4 2 5 with LearningRate = 1e-3; EmaDecay = ema }
    let checkpoints = ResizeArray()
    let whole = Training.trainWith Backends.reference generator discriminator t squares (hooks checkpoints 2 Unchecked.defaultof<_>)
    let halfway = checkpoints |> Seq.find (fun c -> c.Iteration = 2)
    Assert.Contains(Discriminator.stateName "d.half.conv1.weight", halfway.Names)
    let resumed = Training.trainWith Backends.reference generator discriminator t squares (hooks (ResizeArray()) 2 halfway)
    Assert.Equal<string[]>(whole.Names, resumed.Names)
    Array.iter2 (fun (a: float[]) (b: float[]) -> Assert.Equal<float[]>(a, b)) whole.Values resumed.Values

/// gan.discriminator_lr: Adam's first step moves every parameter by exactly lr·g/(|g| + ε) (m̂ = g, v̂ = g²), so
/// one iteration shows which rate each network stepped with, against gradients taken by hand from a second copy
/// of the same problem: the discriminator's at DiscriminatorLearningRate, the generator's at LearningRate.
[<Fact>]
let ``the discriminator steps at its own learning rate and the generator at train.lr (Adam's first step by hand)`` () =
    let b = ReferenceProperties.reference
    let t = { Training.paper 1 2 7 with LearningRate = 1e-3; DiscriminatorLearningRate = 4e-3 }
    let trained = Training.train b generator discriminator t squares (hooks (ResizeArray()) 0 Unchecked.defaultof<_>)
    let index name = Array.findIndex ((=) name) trained.Names
    let p = Training.problem b generator discriminator t squares
    let dInit, gInit = p.Objective.Groups.[0].Initial, p.Objective.Groups.[1].Initial
    let dBefore, gBefore = List.map b.toArray dInit, List.map b.toArray gInit
    let _, dGrads = b.valueAndGrad (fun ds -> p.Objective.Loss 0 0 [ ds; gInit ]) dInit
    // The generator's step sees the discriminator after its step (and its power iteration): the trained one.
    let dAfter = p.DiscriminatorNames |> List.map (fun n -> let i = index n in b.tensor trained.Values.[i] trained.Shapes.[i])
    let _, gGrads = b.valueAndGrad (fun gs -> p.Objective.Loss 1 0 [ dAfter; gs ]) gInit
    let firstStep lr (before: float[]) g = Array.map2 (fun x g -> x - lr * g / (abs g + t.Adam.Epsilon)) before (b.toArray g)
    // u is not trained (its gradient is 0): the power iteration moves it.
    let state = p.Discriminator.State |> List.map (fun s -> s.Name) |> Set.ofList
    let check lr names before grads =
        List.zip3 names before grads
        |> List.filter (fun (n, _, _) -> not (state.Contains n))
        |> List.iter (fun (n, x, g) ->
            let expected, actual = firstStep lr x g, trained.Values.[index n]
            Assert.True(ReferenceProperties.closeTo 1e-12 actual expected, $"{n}: moved by {Array.map2 (-) actual x |> Array.map abs |> Array.max}, expected at lr {lr}"))
    check 4e-3 p.DiscriminatorNames dBefore dGrads
    check 1e-3 p.GeneratorNames gBefore gGrads

[<Fact>]
let ``sample grids tile images row by row`` () =
    let im k = { Width = 2; Height = 1; Channels = 1; Pixels = [| float32 k; float32 k + 0.5f |] }
    let g = Training.grid 2 [| im 0; im 1; im 2 |]
    Assert.Equal((4, 2), (g.Width, g.Height))
    Assert.Equal<float32[]>([| 0.0f; 0.5f; 1.0f; 1.5f; 2.0f; 2.5f; 0.0f; 0.0f |], g.Pixels)

/// The whole objective, in-place spectral-norm updates included, on torch float64 and the reference.
[<Fact>]
let ``three GAN iterations on torch float64 and on the reference end with the same networks`` () =
    let t = { Training.paper 3 2 9 with LearningRate = 1e-3 }
    let run spec = Training.trainWith spec generator discriminator t squares (hooks (ResizeArray()) 0 Unchecked.defaultof<_>)
    let onTorch, onReference = run Backends.torchCpu64, run Backends.reference
    Assert.Equal<string[]>(onReference.Names, onTorch.Names)
    Array.iteri2 (fun i (a: float[]) (b: float[]) ->
        Assert.True(ReferenceProperties.closeTo 1e-9 a b, onReference.Names.[i])) onTorch.Values onReference.Values
    Array.iter2 (fun (_, d1: float, g1: float) (_, d2: float, g2: float) -> Assert.Equal(d2, d1, 9); Assert.Equal(g2, g1, 9)) onTorch.Losses onReference.Losses

/// Real images enter the discriminator as the generator's outputs do: [N; C; H; W] in [−1, 1] (v ↦ 2v − 1, the
/// inverse of `generate`'s (x + 1)/2), the channels taken out of the interleaved pixels, in the order asked for.
[<Fact>]
let ``a real batch is NCHW in the generator's range [−1, 1]`` () =
    let b = ReferenceProperties.reference
    // 2 × 1 pixels of 2 channels: pixel 0 is (0, 1), pixel 1 (0.25, 0.75); the other image (0.5, 0.5), (1, 0).
    let im = { Width = 2; Height = 1; Channels = 2; Pixels = [| 0.0f; 1.0f; 0.25f; 0.75f |] }
    let other = { im with Pixels = [| 0.5f; 0.5f; 1.0f; 0.0f |] }
    let x = Training.batchOf b [| im; other |] [| 1; 0 |]
    Assert.Equal<int[]>([| 2; 2; 1; 2 |], b.shape x)
    // other: channel 0 (0.5, 1) → (0, 1), channel 1 (0.5, 0) → (0, −1); im: channel 0 (0, 0.25) → (−1, −0.5),
    // channel 1 (1, 0.75) → (1, 0.5).
    Assert.Equal<float[]>([| 0.0; 1.0; 0.0; -1.0; -1.0; -0.5; 1.0; 0.5 |], b.toArray x)

/// gan.ema: after iteration k the average is a_k = β·a_{k−1} + (1 − β)·g_k, with a_0 the generator's initial
/// parameters and g_k the generator after k steps, read here from a checkpoint taken after every iteration; the
/// recurrence is computed by hand, on both backends.
[<FsCheck.Xunit.Property(MaxTest = 6)>]
let ``the generator's moving average follows β·a + (1 − β)·g after every iteration`` (decayIn: FsCheck.NormalFloat) (seed: byte) (onTorch: bool) =
    let decay = 0.05 + 0.9 * abs (sin decayIn.Get)
    let t = { Training.paper 3 2 (int seed) with LearningRate = 1e-3; EmaDecay = decay }
    let checkpoints = ResizeArray()
    let backend = if onTorch then Backends.torchCpu64 else Backends.reference
    Training.trainWith backend generator discriminator t squares (hooks checkpoints 1 Unchecked.defaultof<_>) |> ignore
    let b = ReferenceProperties.reference
    let p = Training.problem b generator discriminator t squares
    let valuesOf (c: Checkpoint) name = c.Parameters.[Array.findIndex ((=) name) c.Names]
    p.GeneratorNames |> List.iteri (fun i name ->
        let mutable a = b.toArray p.Objective.Groups.[1].Initial.[i]
        for c in checkpoints do
            a <- Array.map2 (fun a g -> decay * a + (1.0 - decay) * g) a (valuesOf c name)
            let kept = valuesOf c (Training.averageName name)
            Assert.True(ReferenceProperties.closeTo 1e-9 kept a, $"{name} after iteration {c.Iteration}"))
    Assert.Equal(3, checkpoints.Count)

/// Samples read the average when a run kept one: with β = 1 it never moves from the initial generator, so a
/// trained run samples exactly what an untrained one does (and without an average it does not).
[<Fact>]
let ``samples are drawn from the generator's average when the run kept one`` () =
    let samples (t: GanTrain) =
        let r = Training.trainWith backend generator discriminator t squares (hooks (ResizeArray()) 0 Unchecked.defaultof<_>)
        Training.samplesWith backend generator r.Names r.Shapes r.Values 8 4 11 |> Array.collect (fun i -> i.Pixels)
    let untrained = samples { Training.paper 0 4 3 with LearningRate = 2e-3 }
    let frozen = samples { Training.paper 20 4 3 with LearningRate = 2e-3; EmaDecay = 1.0 }
    let trained = samples { Training.paper 20 4 3 with LearningRate = 2e-3 }
    Assert.Equal<float32[]>(untrained, frozen)
    Assert.NotEqual<float32[]>(untrained, trained)
