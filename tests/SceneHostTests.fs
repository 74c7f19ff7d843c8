module LoE.Tests.SceneHostTests

open System
open System.IO
open System.Threading
open Xunit
open LoE.Host.Config
open LoE.Host.Cli

let private repo = Generators.repoRoot

/// A tiny radiance-field experiment on the procedural scene, and an image experiment with scene keys written.
let private yamlText =
    """
base: &base
  data: {scene: procedural, size: 8}
  model: {pe_frequencies: 3, widths: [8, 8], tile: [2, 2, 2], layout: scales, scales: [2, 4]}
  train: {iterations: 4, lr: 0.005, batch_size: 32, log_every: 2, checkpoint_every: 2}
  scene: {coarse_samples: 4, fine_samples: 4, colour_width: 4, direction_frequencies: 2, views: 10, hold_out: 5, turntable: 3}
experiments:
  tiny:
    <<: *base
    sweep:
      row:
        - {name: pe-mlp, model: {tile: [1, 1, 1], layout: pe-mlp}}
        - {name: ours}
    paper: {pe-mlp: 30.50, ours: {psnr_db: 31.46, ssim: 0.936}}
  image:
    data: {image: data/camera.png, size: 8}
    model: {widths: [8], tile: [2, 2], layout: quad-tree}
    train: {iterations: 2, lr: 0.005}
    scene: {coarse_samples: 4}
"""

let private parse (text: string) = ExperimentFile.Parse(text, "exp.yaml", repo)
let private expand (text: string) name = let f = parse text in Sweep.Expand(f, f.Find name)
let private configError text name = Assert.Throws<ConfigException>(fun () -> expand text name |> ignore)

[<Fact>]
let ``scene keys mean nothing to an image run: checked, then left out of its id`` () =
    let withKey = expand yamlText "image"
    let without = expand (yamlText.Replace("    scene: {coarse_samples: 4}\n", "")) "image"
    Assert.Equal(without.[0].Id, withKey.[0].Id)
    Assert.DoesNotContain("scene.", withKey.[0].Config.CanonicalText)
    let e = configError (yamlText.Replace("scene: {coarse_samples: 4}", "scene: {coarse_samples: fast}")) "image"
    Assert.Equal("scene.coarse_samples", e.Key)

[<Theory>]
[<InlineData("batch_size: 32", "batch_size: 0", "train.batch_size")>]
[<InlineData("layout: scales, scales: [2, 4]", "layout: quad-tree", "model.layout")>]
[<InlineData("widths: [8, 8]", "widths: [8, 4]", "model.widths")>]
[<InlineData("tile: [2, 2, 2]", "tile: [2, 2]", "model.tile")>]
[<InlineData("log_every: 2", "log_every: 2, lr_decay_at: [2]", "train.lr_decay_at")>]
[<InlineData("data: {scene: procedural, size: 8}", "data: {scene: no-such-folder}", "data.scene")>]
[<InlineData("layout: scales, scales: [2, 4]", "layout: scales, scales: [2, 4], encoding_range: symmetric", "model.encoding_range")>]
[<InlineData("coarse_samples: 4, fine_samples: 4", "coarse_samples: 2, fine_samples: 4, fine_weights: interior", "scene.fine_weights")>]
[<InlineData("turntable: 3}", "turntable: 3, box: fitted}", "scene.box")>]
[<InlineData("turntable: 3}", "turntable: 3, encoding: world}", "scene.encoding")>]
let ``a scene run refuses what a radiance field cannot take, naming the key`` (from: string, into: string, key: string) =
    let e = configError (yamlText.Replace(from, into)) "tiny"
    Assert.Equal(key, e.Key)
    Assert.True(e.Line > 0)

/// The section-D readings are keys that keep earlier run ids at their defaults (today's behaviour) and make new
/// ids when changed; evaluating while training never changes an id (it changes no result).
[<Fact>]
let ``scene.encoding, fine_weights, box and eval keys keep run ids at their defaults`` () =
    let ids (text: string) = expand text "tiny" |> Seq.map (fun r -> r.Id) |> List.ofSeq
    let withKeys (keys: string) = yamlText.Replace("turntable: 3}", $"turntable: 3, {keys}}}")
    let today = ids yamlText
    Assert.Equal<string list>(today, ids (withKeys "encoding: symmetric, fine_weights: all, box: fixed"))
    Assert.Equal<string list>(today, ids (withKeys "eval_every: 2, eval_views: 1"))
    for changed in [ "encoding: nerf"; "encoding: unit"; "fine_weights: interior" ] do
        Assert.NotEqual<string list>(today, ids (withKeys changed))

/// A NeRF-synthetic folder whose training views are 4×4 except r_1 (6×6), with PNGs written here.
let private mixedSizeScene () =
    let dir = Directory.CreateTempSubdirectory("loe-mixed-").FullName
    let frame name z = $"{{\"file_path\": \"./train/{name}\", \"transform_matrix\": [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, {z}], [0, 0, 0, 1]]}}"
    let json names = "{\"camera_angle_x\": 0.69, \"frames\": [" + (names |> List.mapi (fun i n -> frame n (4 + i)) |> String.concat ", ") + "]}"
    File.WriteAllText(Path.Combine(dir, "transforms_train.json"), json [ "r_0"; "r_1"; "r_2" ])
    File.WriteAllText(Path.Combine(dir, "transforms_test.json"), json [ "r_0" ])
    Directory.CreateDirectory(Path.Combine(dir, "train")) |> ignore
    for name, side in [ "r_0", 4; "r_1", 6; "r_2", 4 ] do
        let image : LoE.Core.Image = { Width = side; Height = side; Channels = 3; Pixels = Array.create (side * side * 3) 0.5f }
        File.WriteAllBytes(Path.Combine(dir, "train", name + ".png"), LoE.Host.Data.ImageFile.EncodePng image)
    dir

/// data.size used to squash views of different sizes into one (bending their aspect ratios and focal lengths):
/// with and without it, loe run ends with exit code 2 and one line naming the odd file.
[<Theory>]
[<InlineData("size: 8, ")>]
[<InlineData("")>]
let ``a scene whose views differ in size is refused by loe run, naming the file, also with data.size`` (size: string) =
    let dir = mixedSizeScene ()
    try
        let yaml = Path.Combine(dir, "exp.yaml")
        File.WriteAllText(yaml, yamlText.Replace("data: {scene: procedural, size: 8}", $"data: {{{size}scene: {dir}}}").Replace("turntable: 3}", "turntable: 0}"))
        let err = new StringWriter()
        let code = LoE.Host.Program.RunAsync([| "run"; yaml; "-e"; "tiny"; "--out"; Path.Combine(dir, "runs") |], TextWriter.Null, err, CancellationToken.None).GetAwaiter().GetResult()
        Assert.Equal(2, code)
        let message = err.ToString().Trim()
        Assert.DoesNotContain("\n", message)
        Assert.Contains(Path.Combine(dir, "train", "r_1.png"), message)
        Assert.Contains("6×6", message)
    finally Directory.Delete(dir, true)

/// checkpoint.bin format 2 keeps each row's held-out PSNR exactly; a format-1 file (written before it) still loads,
/// every row without one (NaN), everything else unchanged.
[<Fact>]
let ``checkpoints keep held-out PSNR, and format-1 checkpoints still load without it`` () =
    let history : LoE.Core.Progress[] =
        [| { Iteration = 2; Loss = 0.5; PsnrDb = 3.0; LearningRate = 1e-3; Seconds = 1.5; TestPsnrDb = 12.25 }
           { Iteration = 4; Loss = 0.25; PsnrDb = 6.0; LearningRate = 1e-3; Seconds = 3.0; TestPsnrDb = nan } |]
    let c : LoE.Core.Checkpoint =
        { Iteration = 4; Names = [| "w" |]; Shapes = [| [| 2 |] |]; Parameters = [| [| 1.0; 2.0 |] |]; AdamStep = 4
          AdamM = [| [| 0.1; 0.2 |] |]; AdamV = [| [| 0.3; 0.4 |] |]; History = history; Seconds = 3.0 }
    let path = Path.GetTempFileName()
    try
        let read version =
            File.WriteAllBytes(path, LoE.Host.Output.CheckpointFile.Encode(c, "abc", version))
            LoE.Host.Output.CheckpointFile.Read(path, "abc")
        let now = read 2
        Assert.Equal(12.25, now.History.[0].TestPsnrDb)
        Assert.True(Double.IsNaN now.History.[1].TestPsnrDb)
        let old = read 1
        Assert.True(old.History |> Array.forall (fun p -> Double.IsNaN p.TestPsnrDb))
        Assert.Equal<LoE.Core.Progress[]>(history |> Array.map (fun p -> { p with TestPsnrDb = 0.0 }), old.History |> Array.map (fun p -> { p with TestPsnrDb = 0.0 }))
        Assert.Equal<float[][]>(c.Parameters, old.Parameters)
    finally File.Delete path

[<Fact>]
let ``the shipped NeRF experiments expand, with the paper's Table 9 reading and Table 10 beside each row`` () =
    let f = ExperimentFile.Load(Path.Combine(repo, "experiments.yaml"))
    let runs = Sweep.Expand(f, f.Find "nerf")
    Assert.Equal<string list>([ "pe-mlp"; "no-hierarchy"; "ours" ], runs |> Seq.map (fun r -> r.Swept.[0].Text) |> List.ofSeq)
    Assert.Equal<float[]>([| 4.0; 16.0; 64.0; 256.0; 1024.0 |], runs.[2].Config.Model.Scales)
    Assert.Equal<float[]>(Array.create 5 64.0, runs.[1].Config.Model.Scales)
    Assert.Equal(Nullable 31.46, runs.[2].PaperPsnrDb(f.Find "nerf"))
    let m = LoE.Host.Tasks.SceneSpecs.Nerf runs.[2].Config
    Assert.Equal((256, 5, 128, 5), (m.Width, m.TrunkLayers, m.ColourWidth, m.ExpertLayers))

[<Fact>]
let ``a scene trains from loe run, writes its test views, comparison and turntable, and loe render draws it again`` () =
    let dir = Directory.CreateTempSubdirectory("loe-scene-").FullName
    try
        let yaml = Path.Combine(dir, "exp.yaml")
        // Held-out PSNR at iterations 2 and 4 (eval_every changes no run id).
        File.WriteAllText(yaml, yamlText.Replace("data/camera.png", Path.Combine(repo, "data", "camera.png")).Replace("turntable: 3}", "turntable: 3, eval_every: 2, eval_views: 1}"))
        let o = RunOptions(File = yaml, Experiment = "tiny", Out = dir, Threads = Nullable 1)
        Assert.Equal(0, RunCommand.ExecuteAsync(o, TextWriter.Null, TextWriter.Null, CancellationToken.None).GetAwaiter().GetResult())
        let folders = Directory.GetDirectories(Path.Combine(dir, "tiny")) |> Array.sort
        Assert.Equal(2, folders.Length)
        let ours = folders |> Array.find (fun f -> Path.GetFileName(f).StartsWith "ours")
        let final = File.ReadAllText(Path.Combine(ours, "final.json"))
        for field in [ "\"psnr_db\""; "\"ssim\""; "\"multiply_adds\"" ] do Assert.Contains(field, final)
        // 10 views, every 5th from the 2nd held out: views 1 and 6.
        Assert.Equal(2, Directory.GetFiles(Path.Combine(ours, "test"), "view-*.png").Length)
        let comparison = LoE.Host.Data.ImageFile.Load(Path.Combine(ours, "comparison.png"))
        Assert.Equal((16, 16), (comparison.Width, comparison.Height)) // two views across, truth above render
        Assert.Equal(3, Directory.GetFiles(Path.Combine(ours, "turntable"), "*.png").Length)
        let gif = File.ReadAllBytes(Path.Combine(ours, "turntable.gif"))
        Assert.Equal("GIF89a", Text.Encoding.ASCII.GetString(gif, 0, 6))
        // metrics.csv: log_every 2 and eval_every 2, so rows 2 and 4 both carry a held-out PSNR.
        let metrics = File.ReadAllLines(Path.Combine(ours, "metrics.csv"))
        Assert.Equal("iteration,loss,psnr_db,lr,seconds,test_psnr_db", metrics.[0])
        Assert.Equal(2, metrics.Length - 1)
        for row in metrics.[1..] do Assert.True(Double.IsFinite(Double.Parse(row.Split(',').[5], Globalization.CultureInfo.InvariantCulture)), row)
        let history = LoE.Host.Output.RunRecord.ReadMetrics(Path.Combine(ours, "metrics.csv"))
        Assert.True(history |> Seq.forall (fun p -> Double.IsFinite p.TestPsnrDb))
        let summary = File.ReadAllText(Path.Combine(dir, "tiny", "summary.md"))
        Assert.Contains("train PSNR (dB)", summary)
        Assert.Contains("31.46", summary)
        Assert.Contains("paper SSIM", summary)
        Assert.Contains("0.936", summary)

        let render (args: RenderOptions) = RenderCommand.ExecuteAsync(args, TextWriter.Null).GetAwaiter().GetResult()
        let orbit = Path.Combine(dir, "orbit")
        Assert.Equal(0, render (RenderOptions(RunDir = ours, Orbit = Nullable 5, Size = [ 12; 10 ], Out = orbit)))
        Assert.Equal(5, Directory.GetFiles(orbit, "*.png").Length)
        Assert.True(File.Exists(Path.Combine(orbit, "turntable.gif")))
        Assert.Equal((12, 10), (let i = LoE.Host.Data.ImageFile.Load(Directory.GetFiles(orbit, "*.png").[0]) in i.Width, i.Height))
        let test = Path.Combine(dir, "test")
        Assert.Equal(0, render (RenderOptions(RunDir = ours, Out = test)))
        Assert.Equal(2, Directory.GetFiles(test, "*.png").Length)
        // The test views drawn again from the checkpoint are the run's own test renders.
        let again = LoE.Host.Data.ImageFile.Load(Path.Combine(test, "frame-0000.png"))
        let during = LoE.Host.Data.ImageFile.Load(Path.Combine(ours, "test", "view-000.png"))
        Assert.Equal<float32[]>(during.Pixels, again.Pixels)
    finally Directory.Delete(dir, true)
