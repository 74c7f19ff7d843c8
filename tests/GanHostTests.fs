module LoE.Tests.GanHostTests

open System
open System.IO
open System.Threading
open Xunit
open LoE.Host.Config
open LoE.Host.Cli

let private repo = Generators.repoRoot

/// A tiny GAN experiment on a folder of images the test writes, and an image run with gan keys written.
let private yamlText =
    """
base: &base
  data: {images: pictures, size: 8}
  train: {iterations: 4, lr: 0.0001, batch_size: 4, log_every: 2, checkpoint_every: 2}
  gan:
    latent_dim: 4
    width: 8
    inner_width: 4
    pe_frequencies: 2
    tiles: [2, 2, 1, 1, 1, 1, 1]
    scales: [2, 4, 8, 8, 8, 8, 8]
    discriminator_widths: [4, 4, 4, 4, 1]
    eval_samples: 6
    sample_every: 3
    sample_grid: 4
experiments:
  tiny:
    <<: *base
    sweep:
      row:
        - {name: pe-ce, gan: {tiles: [1, 1, 1, 1, 1, 1, 1], embedding_channels: 2}}
        - {name: ours}
    paper: {pe-ce: {fid: 23.5}, ours: {fid: 18.3}}
  image:
    data: {image: data/camera.png, size: 8}
    model: {widths: [8], tile: [2, 2], layout: quad-tree}
    train: {iterations: 2, lr: 0.005}
    gan: {latent_dim: 4}
"""

let private parse (text: string) = ExperimentFile.Parse(text, "exp.yaml", repo)
let private expand (text: string) name = let f = parse text in Sweep.Expand(f, f.Find name)
let private configError text name = Assert.Throws<ConfigException>(fun () -> expand text name |> ignore)

/// A folder with `count` small PNGs of different sizes and aspect ratios (cropped and resized on load).
let private writePictures (folder: string) (count: int) =
    Directory.CreateDirectory folder |> ignore
    let rng = Random(7)
    for i in 0 .. count - 1 do
        let w, h = 10 + i % 3, 12 + i % 5
        let pixels = Array.init (w * h * 3) (fun _ -> float32 (rng.NextDouble()))
        let png = LoE.Host.Data.ImageFile.EncodePng({ Width = w; Height = h; Channels = 3; Pixels = pixels })
        File.WriteAllBytes(Path.Combine(folder, $"img-%03d{i}.png"), png)

[<Fact>]
let ``gan keys mean nothing to an image run, and model keys nothing to a GAN: checked, then left out`` () =
    let withKey = expand yamlText "image"
    let without = expand (yamlText.Replace("    gan: {latent_dim: 4}\n", "")) "image"
    Assert.Equal(without.[0].Id, withKey.[0].Id)
    Assert.DoesNotContain("gan.", withKey.[0].Config.CanonicalText)
    Assert.Equal("gan.latent_dim", (configError (yamlText.Replace("gan: {latent_dim: 4}", "gan: {latent_dim: big}")) "image").Key)
    let dir = Directory.CreateTempSubdirectory("loe-gan-").FullName
    try
        writePictures (Path.Combine(dir, "pictures")) 3
        let f = ExperimentFile.Parse(yamlText, Path.Combine(dir, "exp.yaml"), dir)
        let runs = Sweep.Expand(f, f.Find "tiny")
        Assert.DoesNotContain("model.", runs.[1].Config.CanonicalText)
        Assert.Contains("gan.tiles: [2, 2, 1, 1, 1, 1, 1]", runs.[1].Config.CanonicalText)
        Assert.Equal(Nullable 18.3, runs.[1].PaperFid(f.Find "tiny"))
        let withModel = ExperimentFile.Parse(yamlText.Replace("  data: {images: pictures, size: 8}", "  data: {images: pictures, size: 8}\n  model: {widths: [8]}"), Path.Combine(dir, "exp.yaml"), dir)
        Assert.Equal(runs.[1].Id, Sweep.Expand(withModel, withModel.Find "tiny").[1].Id)
    finally Directory.Delete(dir, true)

[<Theory>]
[<InlineData("batch_size: 4", "batch_size: 0", "train.batch_size")>]
[<InlineData("log_every: 2", "log_every: 2, lr_decay_at: [2]", "train.lr_decay_at")>]
[<InlineData("size: 8}", "size: [8, 6]}", "data.size")>]
[<InlineData("size: 8}", "size: 7}", "data.size")>]
[<InlineData("images: pictures", "images: no-such-folder", "data.images")>]
[<InlineData("scales: [2, 4, 8, 8, 8, 8, 8]", "scales: [2, 4, 8]", "gan.scales")>]
[<InlineData("scales: [2, 4, 8, 8, 8, 8, 8]", "scales: [2, 4, 8, 8, 8, 8, -1]", "gan.scales")>]
[<InlineData("tiles: [2, 2, 1, 1, 1, 1, 1]", "tiles: [2, 2]", "gan.tiles")>]
[<InlineData("discriminator_widths: [4, 4, 4, 4, 1]", "discriminator_widths: [4, 4, 4, 4, 2]", "gan.discriminator_widths")>]
[<InlineData("eval_samples: 6", "eval_samples: 6\n    features: inception-v3", "gan.features")>]
[<InlineData("eval_samples: 6", "eval_samples: 6\n    features: inception-v3\n    inception_weights: nowhere.pth", "gan.inception_weights")>]
[<InlineData("paper: {pe-ce: {fid: 23.5}", "paper: {pe-ce: {fdi: 23.5}", "experiments.tiny.paper.pe-ce.fdi")>]
[<InlineData("eval_samples: 6", "eval_samples: 6\n    discriminator_lr: -0.0004", "gan.discriminator_lr")>]
[<InlineData("eval_samples: 6", "eval_samples: 6\n    output: sigmoid", "gan.output")>]
let ``a GAN run refuses what it cannot take, naming the key and the line`` (from: string, into: string, key: string) =
    let dir = Directory.CreateTempSubdirectory("loe-gan-").FullName
    try
        writePictures (Path.Combine(dir, "pictures")) 3
        Assert.Contains(from, yamlText)
        let e = Assert.Throws<ConfigException>(fun () ->
            let f = ExperimentFile.Parse(yamlText.Replace(from, into), Path.Combine(dir, "exp.yaml"), dir)
            Sweep.Expand(f, f.Find "tiny") |> ignore)
        Assert.Equal(key, e.Key)
        Assert.True(e.Line > 0)
        if key.StartsWith "gan.inception_weights" || key = "gan.features" then Assert.Contains("pytorch-fid", e.Message)
    finally Directory.Delete(dir, true)

[<Fact>]
let ``gan.output and gan.discriminator_lr reach the core's specs, and at their defaults leave run ids as they were`` () =
    let dir = Directory.CreateTempSubdirectory("loe-gan-").FullName
    try
        writePictures (Path.Combine(dir, "pictures")) 3
        let runs (extra: string) =
            let f = ExperimentFile.Parse(yamlText.Replace("eval_samples: 6", "eval_samples: 6" + extra), Path.Combine(dir, "exp.yaml"), dir)
            Sweep.Expand(f, f.Find "tiny") |> Seq.toArray
        let ids (rs: RunPlan[]) = rs |> Array.map (fun r -> r.Id)
        let plain = runs ""
        Assert.Equal<string[]>(ids plain, ids (runs "\n    output: linear\n    discriminator_lr: 0"))
        // Left out of the hashed text at their defaults: ids of runs made before these keys existed stay.
        for r in Array.append plain (runs "\n    output: linear\n    discriminator_lr: 0") do
            Assert.DoesNotContain("gan.output", r.Config.CanonicalText)
            Assert.DoesNotContain("gan.discriminator_lr", r.Config.CanonicalText)
        let set = runs "\n    output: tanh\n    discriminator_lr: 0.0004"
        Assert.Empty(Set.intersect (Set.ofArray (ids plain)) (Set.ofArray (ids set)))
        for r in set do
            Assert.Equal(LoE.Core.Gan.GeneratorOutput.Tanh, (LoE.Host.Tasks.GanSpecs.Generator(r.Config, 3)).Output)
            let t = LoE.Host.Tasks.GanSpecs.Training(r.Config)
            Assert.Equal((0.0004, 0.0001), (t.DiscriminatorLearningRate, t.LearningRate))
        for r in plain do
            Assert.Equal(LoE.Core.Gan.GeneratorOutput.Linear, (LoE.Host.Tasks.GanSpecs.Generator(r.Config, 3)).Output)
            Assert.Equal(0.0, (LoE.Host.Tasks.GanSpecs.Training(r.Config)).DiscriminatorLearningRate)
    finally Directory.Delete(dir, true)

[<Fact>]
let ``the shipped GAN experiments expand with Table 11 beside each row and the paper's generator counts`` () =
    let f = ExperimentFile.Load(Path.Combine(repo, "experiments.yaml"))
    let runs = Sweep.Expand(f, f.Find "gan")
    Assert.Equal<string list>([ "pe-ce"; "ours" ], runs |> Seq.map (fun r -> r.Swept.[0].Text) |> Seq.distinct |> List.ofSeq)
    let count (r: RunPlan) =
        let g = LoE.Core.Gan.Generator.create (LoE.Core.ReferenceBackend.create ()) (LoE.Host.Tasks.GanSpecs.Generator(r.Config, 3))
        LoE.Core.Gan.Generator.parameterCount g, g.MultiplyAdds
    // Table 11's rows: PE + CE 19.9M parameters and 1.39M multiply-adds per pixel, Ours 19.6M and 1.26M (main paper).
    let peCe, ours = runs |> Seq.find (fun r -> r.Swept.[0].Text = "pe-ce"), runs |> Seq.find (fun r -> r.Swept.[0].Text = "ours")
    let (pp, pm), (op, om) = count peCe, count ours
    Assert.Equal((19.9, 1.39), (Math.Round(float pp / 1e6, 1), Math.Round(float pm / 1e6, 2)))
    Assert.Equal((19.6, 1.26), (Math.Round(float op / 1e6, 1), Math.Round(float om / 1e6, 2)))
    Assert.Equal(Nullable 23.5, peCe.PaperFid(f.Find "gan"))
    Assert.Equal(50000, ours.Config.Gan.EvalSamples)
    // gan-quick: both rows on seeds 0 and 1 (Table 11 is a mean of two runs).
    Assert.Equal(4, Sweep.Expand(f, f.Find "gan-quick").Count)

[<Fact>]
let ``a GAN trains from loe run: sample grids as it goes, pictures, FD and KID in final.json, Table 11's summary; loe sample draws from it`` () =
    let dir = Directory.CreateTempSubdirectory("loe-gan-").FullName
    try
        writePictures (Path.Combine(dir, "pictures")) 6
        let yaml = Path.Combine(dir, "exp.yaml")
        File.WriteAllText(yaml, yamlText.Replace("data/camera.png", Path.Combine(repo, "data", "camera.png")))
        // Both rows in one process: a second GAN run once diverged here when torch's float32 conv2d read freed
        // memory for its input gradients (the first run's memory was still fresh zeros).
        let o = RunOptions(File = yaml, Experiment = "tiny", Out = dir, Threads = Nullable 1)
        let code = RunCommand.ExecuteAsync(o, TextWriter.Null, TextWriter.Null, CancellationToken.None).GetAwaiter().GetResult()
        // A failed run says why in its failed.json: show it rather than the bare exit code.
        let failures = Directory.GetFiles(Path.Combine(dir, "tiny"), "failed.json", SearchOption.AllDirectories) |> Array.map File.ReadAllText
        Assert.True((code = 0), $"exit code {code}: %s{String.Join(Environment.NewLine, failures)}")
        let folders = Directory.GetDirectories(Path.Combine(dir, "tiny")) |> Array.sort
        Assert.Equal(2, folders.Length)
        let ours = folders |> Array.find (fun f -> Path.GetFileName(f).StartsWith "ours")
        let final = Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(ours, "final.json"))).RootElement
        Assert.Equal("ResNet-18", final.GetProperty("features").GetString())
        Assert.True(final.GetProperty("fd").GetDouble() > 0.0)
        Assert.True(Double.IsFinite(final.GetProperty("kid").GetDouble()))
        Assert.Equal((6, 6), (final.GetProperty("generated_images").GetInt32(), final.GetProperty("real_images").GetInt32()))
        // The floor: the 6 real images a seed-0 run draws, first half against second; the same for every row.
        Assert.Equal(3, final.GetProperty("real_floor_images").GetInt32())
        let floorFd = final.GetProperty("real_floor_fd").GetDouble()
        Assert.True(Double.IsFinite floorFd && floorFd >= 0.0, $"floor FD {floorFd}")
        Assert.True(Double.IsFinite(final.GetProperty("real_floor_kid").GetDouble()))
        for other in folders do
            let f = Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(other, "final.json"))).RootElement
            Assert.Equal(floorFd, f.GetProperty("real_floor_fd").GetDouble())
        // Every gan.sample_every = 3 iterations, and after the last (4); checkpoints every 2 meanwhile.
        Assert.Equal<string[]>([| "iteration-0000003.png"; "iteration-0000004.png" |],
                               Directory.GetFiles(Path.Combine(ours, "samples")) |> Array.map Path.GetFileName |> Array.sort)
        for picture in [ "samples.png"; "interpolation.png"; "losses.png"; "losses.csv" ] do
            Assert.True(File.Exists(Path.Combine(ours, picture)), picture)
        Assert.Equal(5, File.ReadAllLines(Path.Combine(ours, "losses.csv")).Length) // header and 4 iterations
        // The spectra of 8² images: k = 0 … 4 along x and along y, each generated beside real.
        Assert.True(File.Exists(Path.Combine(ours, "spectrum.png")))
        let spectrum = File.ReadAllLines(Path.Combine(ours, "spectrum.csv"))
        Assert.Equal("axis,k,cycles_per_pixel,period_pixels,generated_power,real_power,ratio", spectrum.[0])
        Assert.Equal<string[]>([| for a in [ "x"; "y" ] do for k in 0 .. 4 -> $"{a},{k}" |],
                               spectrum.[1..] |> Array.map (fun l -> String.Join(",", l.Split(',').[0..1])))
        // Both rows score against the same real images and generate different ones: equal real columns, and
        // generated columns that differ (a swap of the two would show here).
        let column (folder: string) i = File.ReadAllLines(Path.Combine(folder, "spectrum.csv")).[1..] |> Array.map (fun l -> l.Split(',').[i])
        let other = folders |> Array.find (fun f -> f <> ours)
        Assert.Equal<string[]>(column ours 5, column other 5)
        Assert.NotEqual<string[]>(column ours 4, column other 4)
        let summary = File.ReadAllText(Path.Combine(dir, "tiny", "summary.md"))
        for text in [ "FD (ResNet-18)"; "KID (ResNet-18)"; "paper FID"; "18.3"; "6 / 6"; "not FID"; "| real vs real (floor) |"; "3 / 3" ] do Assert.Contains(text, summary)
        let csv = File.ReadAllLines(Path.Combine(dir, "tiny", "summary.csv"))
        Assert.EndsWith("real_floor_fd,real_floor_kid,real_floor_images", csv.[0])
        Assert.EndsWith(",3", csv.[1])
        // A run whose generator collapsed (final.json's collapsed_since) is named in its row's status.
        Assert.DoesNotContain("collapsed", summary)
        let oursFinal = Path.Combine(ours, "final.json")
        File.WriteAllText(oursFinal, File.ReadAllText(oursFinal).TrimEnd().TrimEnd('}') + ", \"collapsed_since\": 300}")
        Assert.Equal(0, ReportCommand.ExecuteAsync(ReportOptions(Folder = dir), TextWriter.Null).Result)
        Assert.Contains("| done; collapsed: s0 from it. 300 |", File.ReadAllText(Path.Combine(dir, "tiny", "summary.md")))

        let sample (args: SampleOptions) = LoE.Host.Tasks.SampleCommand.ExecuteAsync(args, TextWriter.Null).GetAwaiter().GetResult()
        let out = Path.Combine(dir, "drawn")
        Assert.Equal(0, sample (SampleOptions(RunDir = ours, Count = 5, Interpolate = Nullable 3, Out = out)))
        Assert.Equal(5, Directory.GetFiles(out, "sample-*.png").Length)
        let first = LoE.Host.Data.ImageFile.Load(Path.Combine(out, "sample-000000.png"))
        Assert.Equal((8, 8), (first.Width, first.Height))
        Assert.True(File.Exists(Path.Combine(out, "grid.png")) && File.Exists(Path.Combine(out, "interpolation.png")))
        // The same seed draws the same images.
        let again = Path.Combine(dir, "again")
        Assert.Equal(0, sample (SampleOptions(RunDir = ours, Count = 1, Out = again)))
        Assert.Equal<float32[]>(first.Pixels, (LoE.Host.Data.ImageFile.Load(Path.Combine(again, "sample-000000.png"))).Pixels)
    finally Directory.Delete(dir, true)

[<Fact>]
let ``loe sample refuses a run that is not a GAN, naming why`` () =
    let dir = Directory.CreateTempSubdirectory("loe-gan-").FullName
    try
        let yaml = Path.Combine(dir, "exp.yaml")
        File.WriteAllText(yaml, yamlText.Replace("data/camera.png", Path.Combine(repo, "data", "camera.png")))
        let o = RunOptions(File = yaml, Experiment = "image", Out = dir, Threads = Nullable 1)
        Assert.Equal(0, RunCommand.ExecuteAsync(o, TextWriter.Null, TextWriter.Null, CancellationToken.None).GetAwaiter().GetResult())
        let run = Directory.GetDirectories(Path.Combine(dir, "image")).[0]
        let e = Assert.Throws<ConfigException>(fun () -> LoE.Host.Tasks.SampleCommand.ExecuteAsync(SampleOptions(RunDir = run), TextWriter.Null).GetAwaiter().GetResult() |> ignore)
        Assert.Contains("not a GAN", e.Message)
    finally Directory.Delete(dir, true)
