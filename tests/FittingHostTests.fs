module LoE.Tests.FittingHostTests

open System
open System.IO
open System.Threading
open Xunit
open LoE.Core
open LoE.Host.Config
open LoE.Host.Cli
open LoE.Host.Running
open LoE.Host.Tasks

let private repo = Generators.repoRoot

/// A table's rows as a `row` sweep, a random-batch image run and a generated video.
let private yamlText =
    """
base: &base
  data: {image: data/astronaut.png, size: 16}
  model: {widths: [8, 8], tile: [2, 2], layout: coarse-to-fine, pe_frequencies: 3, embedding_resolution: 4}
  train: {iterations: 6, lr: 0.005, batch_size: 64, log_every: 3, checkpoint_every: 3}
experiments:
  rows:
    <<: *base
    sweep:
      row:
        - {name: plain, model: {layout: pe-mlp, tile: [1, 1]}}
        - {name: ce, model: {layout: pe-mlp, tile: [1, 1], embedding_channels: 4}}
        - {name: constant, model: {input: constant}}
        - {name: ours, model: {interpolation: bilinear}}
    paper: {plain: 32.34, ours: 44.24}
  missing:
    <<: *base
    data: {image: data/pluto-8192.png, obtain: "Download it from NASA."}
  video:
    <<: *base
    data: {video: "generated:pan-zoom:data/astronaut.png", size: 8, frames: 4}
    model: {tiles: [[2, 2, 2], [4, 4, 4]], tile: [1, 1, 1], layout: scales, scales: [2, 8]}
"""

let private parse () = ExperimentFile.Parse(yamlText, "exp.yaml", repo)

[<Fact>]
let ``a row sweep sets each row's keys and names runs, summaries and paper numbers by the row`` () =
    let f = parse ()
    let e = f.Find "rows"
    let runs = Sweep.Expand(f, e)
    Assert.Equal<string list>([ "plain"; "ce"; "constant"; "ours" ], runs |> Seq.map (fun r -> r.Swept.[0].Text) |> List.ofSeq)
    Assert.Equal<int[]>([| 1; 1 |], runs.[0].Config.Model.Tile)
    Assert.Equal(4, runs.[1].Config.Model.EmbeddingChannels)
    Assert.Equal(LoE.Core.InputMapping.Constant, runs.[2].Config.Model.Input)
    Assert.Equal("constant", runs.[2].Config.Find("model.input").Text)
    Assert.Equal("nlinear", runs.[3].Config.Find("model.interpolation").Text)
    Assert.Equal("coarse-to-fine", runs.[3].Config.Model.Layout)
    Assert.StartsWith("ours-s0-", runs.[3].Id)
    Assert.Equal(Nullable 44.24, runs.[3].PaperPsnrDb e)
    let one = Sweep.Expand(f, e, Override.Parse [ "row.name=ce" ])
    Assert.Equal(1, one.Count)
    Assert.Equal(4, one.[0].Config.Model.EmbeddingChannels)
    Assert.Throws<ConfigException>(fun () -> Sweep.Expand(f, e, Override.Parse [ "row.name=oops" ]) |> ignore) |> ignore

[<Fact>]
let ``data that does not ship is checked when the run starts, with how to get it`` () =
    let f = parse ()
    let runs = Sweep.Expand(f, f.Find "missing")
    let e = Assert.Throws<ConfigException>(fun () -> TaskTable.Prepare runs |> ignore)
    Assert.Equal("data.image", e.Key)
    Assert.Contains("Download it from NASA.", e.Message)

[<Fact>]
let ``the shipped experiments file expands every experiment, the full-scale ones without their data`` () =
    let f = ExperimentFile.Load(Path.Combine(repo, "experiments.yaml"))
    for e in f.Experiments do Assert.NotEmpty(Sweep.Expand(f, e))
    let video = Sweep.Expand(f, f.Find "video-fitting")
    Assert.Equal<string list>([ "pe"; "pe-ce"; "siren"; "siren-l"; "ours" ], video |> Seq.map (fun r -> r.Swept.[0].Text) |> List.ofSeq)

[<Fact>]
let ``an image row and a video run train, and loe render draws them at other sizes`` () =
    let dir = Directory.CreateTempSubdirectory("loe-fit-").FullName
    try
        let yaml = Path.Combine(dir, "exp.yaml")
        File.WriteAllText(yaml, yamlText.Replace("data/astronaut.png", Path.Combine(repo, "data", "astronaut.png")))
        let run experiment extra =
            let o = RunOptions(File = yaml, Experiment = experiment, Out = dir, Threads = Nullable 1, Set = extra)
            RunCommand.ExecuteAsync(o, TextWriter.Null, TextWriter.Null, CancellationToken.None).GetAwaiter().GetResult()
        Assert.Equal(0, run "rows" [ "row.name=ours" ])
        Assert.Equal(0, run "video" [])
        let folder experiment = Directory.GetDirectories(Path.Combine(dir, experiment)).[0]
        let final = File.ReadAllText(Path.Combine(folder "rows", "final.json"))
        Assert.Contains("\"ssim\"", final)
        Assert.Contains("\"parameter_bytes\"", final)
        Assert.Contains("size", File.ReadAllText(Path.Combine(dir, "rows", "summary.md")))
        Assert.Equal(4, Directory.GetFiles(Path.Combine(folder "video", "reconstruction")).Length)
        let render (args: RenderOptions) = RenderCommand.ExecuteAsync(args, TextWriter.Null).GetAwaiter().GetResult()
        let png = Path.Combine(dir, "big.png")
        Assert.Equal(0, render (RenderOptions(RunDir = folder "rows", Scale = Nullable 2.0, Out = png)))
        let image = LoE.Host.Data.ImageFile.Load png
        Assert.Equal((32, 32), (image.Width, image.Height))
        let frames = Path.Combine(dir, "frames")
        Assert.Equal(0, render (RenderOptions(RunDir = folder "video", Size = [ 12; 10 ], Frames = Nullable 7, Out = frames)))
        Assert.Equal(7, Directory.GetFiles(frames, "*.png").Length)
        Assert.Equal((12, 10), (let i = LoE.Host.Data.ImageFile.Load(Directory.GetFiles(frames).[0]) in i.Width, i.Height))
    finally Directory.Delete(dir, true)

[<Fact>]
let ``keys added for image and video fitting stay out of run ids at their defaults, so earlier runs keep theirs`` () =
    let f = parse ()
    let runs = Sweep.Expand(f, f.Find "rows")
    let text (r: LoE.Host.Config.RunPlan) = r.Config.CanonicalText
    for key in [ "model.input"; "model.activation"; "model.embedding_channels" ] do
        Assert.DoesNotContain(key + ":", text runs.[0])
    Assert.Contains("train.batch_size: 64", text runs.[0])
    Assert.Contains("model.input: constant", text runs.[2])
    Assert.Contains("model.embedding_channels: 4", text runs.[1])
    Assert.DoesNotContain("model.input", runs.[0].Config.ToYaml())
