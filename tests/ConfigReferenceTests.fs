/// What a YAML key does, followed to where it acts and compared with the paper's definition worked out by hand:
/// the step schedule, random batches, explicit affine maps and Table 6's caps on a video's three axes. Each guards
/// a mutant of tests/mutation/mutants.txt.
module LoE.Tests.ConfigReferenceTests

open Xunit
open FsCheck.FSharp
open FsCheck.Xunit
open LoE.Core
open LoE.Host.Config
open LoE.Host.Running
open LoE.Host.Tasks

/// The one run of a one-experiment YAML text.
let private runOf (text: string) = ConfigTests.expand text |> Seq.concat |> Seq.exactlyOne

let private experiment (data: string) (model: string) (train: string) =
    $"""
experiments:
  one:
    data: {data}
    model: {model}
    train: {train}
"""

[<Property(MaxTest = 25)>]
let ``train.lr_decay_factor applies at every train.lr_decay_at: lr · factor^(milestones passed)`` () =
    let factor = Gen.choose (1, 99) |> Gen.map (fun k -> float k / 100.0)
    let milestones = Gen.choose (1, 4) |> Gen.bind (fun n -> Gen.listOfLength n (Gen.choose (1, 40))) |> Gen.map (List.distinct >> List.sort)
    Generators.forAll (Gen.zip factor milestones) (fun (factor, milestones) ->
        let at = milestones |> List.map string |> String.concat ", "
        let run = runOf (experiment "{image: camera.png, size: 8}" "{widths: [4], tile: [1, 1], layout: pe-mlp}" $"{{iterations: 50, lr: 0.01, lr_decay_at: [{at}], lr_decay_factor: {factor}}}")
        let spec = SignalSpecs.Train run.Config
        for i in 0 .. 50 do
            let passed = milestones |> List.filter (fun m -> i >= m) |> List.length
            let expected = 0.01 * pown factor passed
            let lr = Fit.learningRate spec i
            Assert.True(abs (lr - expected) <= 1e-15, $"iteration {i}: lr {lr}, by hand {expected} (factor {factor}, at {at})"))

[<Fact>]
let ``random batches differ between iterations and are reproducible per (seed, iteration): each loss is the MSE of its own samples`` () =
    let b = ReferenceProperties.reference
    let size = [| 6; 5 |]
    let rng = System.Random(4)
    let target = { Size = size; Channels = 2; Values = Array.init 60 (fun _ -> float32 (rng.NextDouble())) }
    let model = ModelSpec.toy 2 [| 4 |] [| 2; 2 |] (Layouts.scales 2 [| 2.0 |]) Interpolation.Nearest 0.2
    let spec = { Iterations = 10; LearningRate = 0.01; LrDecayAt = [||]; LrDecayFactor = 0.1; Adam = { Beta1 = 0.9; Beta2 = 0.999; Epsilon = 1e-8 }; Seed = 7; LogEvery = 1; BatchSize = 9 }
    let problem = Fit.problem b model spec target
    let initial = problem.Objective.Groups |> List.map (fun g -> g.Initial)
    let ps = List.zip problem.Names (List.head initial) |> Map.ofList
    // The network at every pixel centre, then the iteration's samples picked out here.
    let all = Component.forward problem.Network (Batch.create b false 2 (Grid.centres size)) ps |> b.toArray
    let byHand it =
        let picked = Fit.sampleIndices spec.Seed it spec.BatchSize 30
        (picked |> Array.sumBy (fun j -> Array.sum [| for c in 0 .. 1 -> let d = all.[2 * j + c] - float target.Values.[2 * j + c] in d * d |])) / float (2 * picked.Length)
    let loss it = problem.Objective.Loss 0 it initial |> b.toArray |> Array.exactlyOne
    let losses = [| for it in 0 .. 9 -> loss it |]
    for it in 0 .. 9 do
        Assert.True(abs (losses.[it] - byHand it) < 1e-12, $"iteration {it}: loss {losses.[it]}, MSE of its own samples {byHand it}")
        Assert.Equal(losses.[it], loss it)
    Assert.Equal(10, losses |> Array.distinct |> Array.length)

[<Property(MaxTest = 30)>]
let ``model.affine is read row by row: a non-symmetric A routes p to floor(A p + b) mod tile`` () =
    let entry = Gen.choose (-12, 12) |> Gen.map float
    Generators.forAll (Gen.zip3 (Gen.arrayOfLength 4 entry) (Gen.arrayOfLength 2 (Gen.choose (0, 3) |> Gen.map (fun k -> float k / 4.0))) (Generators.point 2))
        (fun (a, bias, p) ->
        let a = if a.[1] = a.[2] then [| a.[0]; a.[1] + 1.0; a.[2]; a.[3] |] else a // A ≠ Aᵀ
        let yaml = $"{{widths: [4], tile: [3, 4], layout: explicit, affine: [{{A: [[{a.[0]}, {a.[1]}], [{a.[2]}, {a.[3]}]], b: [{bias.[0]}, {bias.[1]}]}}]}}"
        let spec = SignalSpecs.Model((runOf (experiment "{image: camera.png, size: 8}" yaml "{iterations: 2, lr: 0.01}")).Config)
        // By hand: u = A p + b with A's first row [a0, a1] and second [a2, a3]; the expert of axis i is floor(u_i) mod t_i.
        let u = [| bias.[0] + a.[0] * p.[0] + a.[1] * p.[1]; bias.[1] + a.[2] * p.[0] + a.[3] * p.[1] |]
        let modulo (x: float) (t: int) = ((int (floor x) % t) + t) % t
        Assert.Equal<int[]>([| modulo u.[0] 3; modulo u.[1] 4 |], Grid.nearestIndex spec.Layout.[0] [| 3; 4 |] p))

[<Fact>]
let ``a video's coarse-to-fine grids are capped on all three axes: its side in pixels and its frame count (Table 6's †)`` () =
    let run = runOf (experiment "{video: \"generated:pan-zoom:camera.png\", size: 16, frames: 8}"
                                "{widths: [4, 4, 4, 4, 4], tile: [2, 2, 2], layout: coarse-to-fine}" "{iterations: 2, lr: 0.01}")
    let spec = SignalSpecs.Model(run.Config, [| 16; 16; 8 |])
    // Table 6: 4 I, then 4^(i−1)·2 I: 4, 8, 32, 128, 512; capped at 16 in x and y and at 8 frames in t.
    let expected = [ [| 4.0; 4.0; 4.0 |]; [| 8.0; 8.0; 8.0 |]; [| 16.0; 16.0; 8.0 |]; [| 16.0; 16.0; 8.0 |]; [| 16.0; 16.0; 8.0 |] ]
    Assert.Equal(5, spec.Layout.Length)
    List.iteri (fun i (diagonal: float[]) ->
        let m = spec.Layout.[i]
        Assert.Equal<float[]>(diagonal, Array.init 3 (fun k -> m.A.[k, k]))
        Assert.True(Seq.forall id (seq { for r in 0 .. 2 do for c in 0 .. 2 -> r = c || m.A.[r, c] = 0.0 })))
        expected

/// The parameter check counts what the network stores, by hand from the layers' definitions: per position-dependent
/// layer E·in·out weights and one bias of `out` (shared) or E of them, the embedding's R^d × C table, and a last
/// layer to 3 channels, (in + 1)·3; the first layer's input is the encoding's d(1 + 2L) plus C. A model over 2^28 is
/// refused with that count in the message, one under it is accepted.
[<Property(MaxTest = 40)>]
let ``model size is refused over 2^28 parameters exactly where the hand count says, naming the count`` () =
    let case = gen {
        let! widths = Gen.choose (1, 3) |> Gen.bind (fun n -> Gen.listOfLength n (Gen.elements [ 64; 1024; 4096; 16384 ]))
        let! side = Gen.elements [ 1; 2; 4; 16 ]
        let! shared = Gen.elements [ true; false ]
        let! pe = Gen.choose (0, 10)
        let! channels = Gen.elements [ 0; 8; 64 ]
        let! resolution = Gen.elements [ 2; 256 ]
        return widths, side, shared, pe, channels, resolution }
    Generators.forAll case (fun (widths, side, shared, pe, channels, resolution) ->
        let experts = int64 (side * side)
        let input = 2L * (1L + 2L * int64 pe) + int64 channels
        let table = if channels > 0 then int64 resolution * int64 resolution * int64 channels else 0L
        let layers, last =
            widths |> List.fold (fun (sum, inW) w -> sum + experts * inW * int64 w + (if shared then 1L else experts) * int64 w, int64 w) (0L, input)
        let byHand = table + layers + (last + 1L) * 3L
        let embedding = if channels > 0 then $", embedding_channels: {channels}, embedding_resolution: {resolution}" else ""
        let ws = widths |> List.map string |> String.concat ", "
        let sharedBias = if shared then "true" else "false"
        let text =
            experiment "{image: camera.png, size: 8}"
                $"{{widths: [{ws}], tile: [{side}, {side}], layout: quad-tree, shared_bias: {sharedBias}, pe_frequencies: {pe}{embedding}}}"
                "{iterations: 5, lr: 0.01}"
        if byHand > (1L <<< 28) then
            let e = Assert.Throws<ConfigException>(fun () -> runOf text |> ignore)
            e.Key = "model.widths" && e.Message.Contains $"about {byHand} parameters"
        else
            runOf text |> ignore
            true)
