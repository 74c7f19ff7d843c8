module LoE.Tests.EndToEndTests

open System
open System.Threading
open Xunit
open LoE.Core

/// A small gray test image with structure at several scales.
let testImage size =
    let rng = Random(3)
    { Width = size; Height = size; Channels = 1
      Pixels = Array.init (size * size) (fun i ->
        let x, y = float (i % size) / float size, float (i / size) / float size
        float32 (0.5 + 0.3 * sin (9.0 * x * y) * cos (17.0 * x) + 0.15 * (rng.NextDouble() - 0.5))) }

let toy layout iterations =
    ModelSpec.toy 4 (Array.create 4 16) [| 2; 2 |] (Layouts.preset layout 4 2 16.0 0) Interpolation.Nearest 0.2,
    { Iterations = iterations; LearningRate = 0.005; LrDecayAt = [| iterations / 2 |]; LrDecayFactor = 0.1
      Adam = { Beta1 = 0.9; Beta2 = 0.995; Epsilon = 1e-8 }; Seed = 0; LogEvery = 10; BatchSize = 0 }

[<Fact>]
let ``a tiny toy run improves its PSNR over iterations`` () =
    let model, train = toy "quad-tree" 60
    let result = Fit.runSignalWith { Name = "torch"; Device = "cpu"; Float64 = false; Threads = 0 } model train (Fit.ofImage (testImage 32)) (Fit.progressOnly ignore CancellationToken.None)
    let first, last = result.History.[0], Array.last result.History
    Assert.Equal(6, result.History.Length)
    Assert.True(last.PsnrDb > first.PsnrDb + 3.0, $"PSNR went from {first.PsnrDb} to {last.PsnrDb}")
    Assert.True(result.PsnrDb > last.PsnrDb - 1.0)
    Assert.Equal(32 * 32, result.Reconstruction.Pixels.Length)

[<Fact>]
let ``cancelling stops the training loop`` () =
    let model, train = toy "quad-tree" 1000
    use cts = new CancellationTokenSource()
    let cancelAt (p: Progress) = if p.Iteration >= 20 then cts.Cancel()
    Assert.Throws<OperationCanceledException>(fun () ->
        Fit.runSignalWith { Name = "torch"; Device = "cpu"; Float64 = false; Threads = 0 } model train (Fit.ofImage (testImage 16)) (Fit.progressOnly cancelAt cts.Token) |> ignore)
    |> ignore
