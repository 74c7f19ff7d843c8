module LoE.Tests.ScheduleTests

open System
open System.Threading
open Xunit
open LoE.Core

// Section A: "a learning rate of 0.005 ... 10k iterations, with the learning rate decayed to 0.0005 after the
// first 5k iterations". Made small: 10 iterations, decayed after the first 5, so iterations 1-5 (1-based, as
// in History) run at 0.005 and iterations 6-10 at 0.0005. A decay milestone k (0-based iteration) applies
// from iteration index k itself, the (k+1)-th step.

let private model =
    ModelSpec.toy 2 [| 4 |] [| 2; 2 |] (Layouts.preset "quad-tree" 1 2 0.0 0) Interpolation.Nearest 0.2

let private target =
    let rng = Random(9)
    { Size = [| 4; 4 |]; Channels = 1; Values = Array.init 16 (fun _ -> float32 (rng.NextDouble())) }

let private sectionA iterations decayAt =
    { Iterations = iterations; LearningRate = 0.005; LrDecayAt = decayAt; LrDecayFactor = 0.1
      Adam = { Beta1 = 0.9; Beta2 = 0.995; Epsilon = 1e-8 }; Seed = 0; LogEvery = 1; BatchSize = 0 }

let private reference = { Name = "reference"; Device = "cpu"; Float64 = true; Threads = 0 }

let private checkpointing (into: ResizeArray<Checkpoint>) (resume: Checkpoint) =
    { OnProgress = Action<_> ignore; CheckpointEvery = 1; OnCheckpoint = Action<_> into.Add; Resume = resume
      Cancel = CancellationToken.None }

[<Fact>]
let ``the loop applies 0.005 for the first half of the iterations and 0.0005 from the first of the second half`` () =
    let result = Fit.runSignalWith reference model (sectionA 10 [| 5 |]) target (Fit.progressOnly ignore CancellationToken.None)
    Assert.Equal<int[]>([| 1 .. 10 |], result.History |> Array.map (fun p -> p.Iteration))
    let expected = [| 0.005; 0.005; 0.005; 0.005; 0.005; 0.0005; 0.0005; 0.0005; 0.0005; 0.0005 |]
    Array.iter2 (fun (e: float) (p: Progress) -> Assert.Equal(e, p.LearningRate, 15)) expected result.History

[<Fact>]
let ``the learning rate in History is the one the step used`` () =
    // Two iterations at 0.005 decayed after the first must equal one iteration at 0.005, then one more resumed
    // from its checkpoint at a constant 0.0005: parameters after each step, not just the reported number.
    let decayed, constant = ResizeArray(), ResizeArray()
    Fit.runSignalWith reference model (sectionA 2 [| 1 |]) target (checkpointing decayed Unchecked.defaultof<_>) |> ignore
    Fit.runSignalWith reference model (sectionA 1 [||]) target (checkpointing constant Unchecked.defaultof<_>) |> ignore
    let afterOne = constant |> Seq.find (fun c -> c.Iteration = 1)
    let slow = { sectionA 2 [||] with LearningRate = 0.0005 }
    Fit.runSignalWith reference model slow target (checkpointing constant afterOne) |> ignore
    let close (a: Checkpoint) (b: Checkpoint) =
        Array.forall2 (Array.forall2 (fun (x: float) y -> abs (x - y) <= 1e-12)) a.Parameters b.Parameters
    let at (cs: ResizeArray<Checkpoint>) i = cs |> Seq.findBack (fun c -> c.Iteration = i)
    Assert.True(close (at decayed 1) (at constant 1), "the first step did not use 0.005")
    Assert.True(close (at decayed 2) (at constant 2), "the second step did not use 0.0005")
    // And the two rates do make different parameters (the comparison can fail).
    Assert.False(close (at decayed 2) (let c = ResizeArray() in Fit.runSignalWith reference model (sectionA 2 [||]) target (checkpointing c Unchecked.defaultof<_>) |> ignore; at c 2))
