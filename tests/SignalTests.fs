module LoE.Tests.SignalTests

open System
open System.Threading
open Xunit
open LoE.Core

// ----- Random-batch training -----

let private smallRgb size =
    let rng = Random(5)
    { Size = [| size; size |]; Channels = 3; Values = Array.init (size * size * 3) (fun _ -> float32 (rng.NextDouble())) }

let private batchModel =
    ModelSpec.toy 3 [| 8; 8 |] [| 2; 2 |] (Layouts.sized "coarse-to-fine" 2 2 0.0 0 [| 16; 16 |]) Interpolation.Nearest 0.2

let private batchTrain =
    { Iterations = 12; LearningRate = 0.01; LrDecayAt = [| 6 |]; LrDecayFactor = 0.1; Adam = { Beta1 = 0.9; Beta2 = 0.999; Epsilon = 1e-8 }; Seed = 3; LogEvery = 2; BatchSize = 40 }

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
