/// Parameters and multiply-adds per sample of the paper's full-scale models, as experiments.yaml declares them,
/// against the main paper's Tables 1 and 2 (to their rounding). They pin widths, tiles, encodings and biases at once.
module LoE.Tests.PaperCountTests

open System.IO
open Xunit
open LoE.Core
open LoE.Host.Config
open LoE.Host.Running
open LoE.Host.Tasks
open LoE.Tests.Generators

/// (row, parameters, multiply-adds per sample) of every run of a full-scale experiment, its signal of `size`.
let counts (experiment: string) (size: int[]) (channels: int) =
    let f = ExperimentFile.Load(Path.Combine(repoRoot, "experiments.yaml"))
    Sweep.Expand(f, f.Find experiment)
    |> Seq.map (fun run ->
        let network = Networks.signal (ReferenceBackend.create ()) (SignalSpecs.Model(run.Config, size)) channels
        run.Config.Row.Name, Component.parameterCount network, network.MultiplyAdds)
    |> Seq.toList

/// x rounded as the paper prints it: to `digits` significant digits.
let private rounded (digits: int) (x: int64) =
    let magnitude = floor (log10 (float x)) + 1.0
    let scale = 10.0 ** (magnitude - float digits)
    System.Math.Round(float x / scale) * scale

let private find rows name = rows |> List.find (fun (n, _, _) -> n = name)

[<Fact>]
let ``video models (Table 2): parameters equal the paper's to its rounding`` () =
    let rows = counts "video-fitting" [| 512; 512; 300 |] 3
    let paper = [ "pe", 279e3, 3; "pe-ce", 17.1e6, 3; "siren", 265e3, 3; "siren-l", 4.21e6, 3; "ours", 16.9e6, 3 ]
    for name, value, digits in paper do
        let _, parameters, _ = find rows name
        Assert.True(rounded digits parameters = value, $"{name}: {parameters} parameters, the paper {value}")

[<Fact>]
let ``image models (Table 1): parameters of PE MLP and Constant Input equal the paper's, the LoE rows are within one output layer`` () =
    let rows = counts "image-fitting" [| 8192; 8192 |] 3
    let parameters name = let _, p, _ = find rows name in p
    Assert.Equal(0.59e6, rounded 2 (parameters "pe-mlp"))
    Assert.Equal(8.92e6, rounded 3 (parameters "constant-input"))
    // 9.36M here, 9.37M in the paper: the same network with its 256 → 3 output layer tiled too would print 9.37M,
    // but then Constant Input would print 8.94M, not 8.92M; no single reading gives both (README).
    for name in [ "interleaved"; "chunked"; "random-affine"; "ours"; "ours-bilinear" ] do
        Assert.Equal(9.36e6, rounded 3 (parameters name))
    // Shared biases: one bias per expert would add 15 × 2176 parameters per LoE row (9.39M).
    Assert.Equal(9358211L, parameters "ours")

[<Fact>]
let ``multiply-adds per sample: a nearest LoE layer costs a dense layer's, an N-linear one 2^d times`` () =
    let rows = counts "image-fitting" [| 8192; 8192 |] 3
    let macs name = let _, _, m = find rows name in m
    Assert.Equal(macs "pe-mlp", macs "ours")
    // Seven 4×4-tiled N-linear layers cost four products each; the plain output layer (256 × 3) one.
    Assert.Equal(4L * (macs "pe-mlp" - 768L) + 768L, macs "ours-bilinear")
