module LoE.Tests.HostTests

open System
open System.IO
open System.Threading
open Xunit
open LoE.Host.Config
open LoE.Host.Cli

let private repo = Generators.repoRoot

/// A small valid experiment file; `edit` rewrites one line of it to make it bad.
let private yaml (edit: string -> string) =
    """
base: &base
  data: {image: data/camera.png, size: 16}
  model: {widths: [8, 8], tile: [2, 2], layout: quad-tree}
  train:
    iterations: 20
    lr: 0.005
experiments:
  tiny:
    <<: *base
    sweep: {model.layout: [pe-mlp, quad-tree, gray-code]}
    seeds: [0, 1]
""" |> edit

let private parse text = ExperimentFile.Parse(text, "exp.yaml", repo)
let private expand text = let f = parse text in Sweep.Expand(f, f.Find "tiny")
let private configError (f: unit -> obj) = Assert.Throws<ConfigException>(fun () -> f () |> ignore)

[<Fact>]
let ``a sweep expands to every combination of values and seeds, with unique stable ids`` () =
    let runs = expand (yaml id)
    Assert.Equal(6, runs.Count)
    Assert.Equal(6, runs |> Seq.map (fun r -> r.Id) |> Seq.distinct |> Seq.length)
    Assert.Equal<string seq>(runs |> Seq.map (fun r -> r.Id), expand (yaml id) |> Seq.map (fun r -> r.Id))

[<Fact>]
let ``a non-numeric learning rate names the file, the line and the key`` () =
    let e = configError (fun () -> expand (yaml (fun s -> s.Replace("lr: 0.005", "lr: fast"))))
    Assert.Equal("exp.yaml", e.File)
    Assert.Equal(7, e.Line)
    Assert.Equal("train.lr", e.Key)
    Assert.Contains("exp.yaml:7:", e.Message)

[<Fact>]
let ``an unknown layout is reported with the nearest valid name`` () =
    let e = configError (fun () -> expand (yaml (fun s -> s.Replace("gray-code]", "graycode]"))))
    Assert.Equal("model.layout", e.Key)
    Assert.Equal(11, e.Line)
    Assert.Contains("did you mean 'gray-code'", e.Message)

[<Fact>]
let ``an unknown key is reported with the nearest valid key`` () =
    let e = configError (fun () -> expand (yaml (fun s -> s.Replace("iterations: 20", "iteration: 20"))))
    Assert.Equal(6, e.Line)
    Assert.Contains("did you mean 'train.iterations'", e.Message)

[<Fact>]
let ``a missing image file is reported against data.image`` () =
    let e = configError (fun () -> expand (yaml (fun s -> s.Replace("camera.png", "camra.png"))))
    Assert.Equal("data.image", e.Key)
    Assert.Equal(3, e.Line)

[<Fact>]
let ``malformed YAML and an unknown experiment are user errors, not crashes`` () =
    let e = configError (fun () -> parse (yaml (fun s -> s.Replace("tile: [2, 2]", "tile: [2, 2"))) |> box)
    Assert.Equal("exp.yaml", e.File)
    Assert.True(e.Line > 0)
    let f = parse (yaml id)
    configError (fun () -> f.Find "tiny2" |> box) |> ignore

[<Fact>]
let ``loe run on the smoke experiment writes run folders and a summary with the required columns`` () =
    let out = Directory.CreateTempSubdirectory("loe-test-").FullName
    let options = RunOptions(File = Path.Combine(repo, "experiments.yaml"), Experiment = "smoke", Out = out, Threads = Nullable 2)
    let code = RunCommand.ExecuteAsync(options, TextWriter.Null, TextWriter.Null, CancellationToken.None).Result
    Assert.Equal(0, code)
    let lines = File.ReadAllLines(Path.Combine(out, "smoke", "summary.csv"))
    let header = lines.[0].Split ','
    for column in [ "run"; "model.layout"; "seed"; "psnr_db"; "iterations"; "train_seconds" ] do
        Assert.Contains(column, header)
    Assert.Equal(3, lines.Length)
    for run in Directory.GetDirectories(Path.Combine(out, "smoke")) do
        for file in [ "config.yaml"; "metrics.csv"; "final.json"; "reconstruction.png" ] do
            Assert.True(File.Exists(Path.Combine(run, file)), $"{file} in {run}")
