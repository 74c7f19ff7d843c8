module LoE.Tests.AudioTests

open System
open System.IO
open System.Threading
open FsCheck.FSharp
open FsCheck.Xunit
open Xunit
open NAudio.Wave
open LoE.Host.Config
open LoE.Host.Cli
open LoE.Host.Tasks

/// A sound of 16–256 samples, amplitudes in [−0.9, 0.9].
let private samples = gen {
    let! n = Gen.choose (16, 256)
    return! Gen.arrayOfLength n (Generators.floatIn -0.9 0.9) }

/// SI-SNR by hand: for ŝ = α s₀ + c + n, with s₀ the zero-mean target, c a constant and n zero-mean and orthogonal
/// to s₀, the part of ŝ₀ along s₀ is α s₀ and the rest is n, so SI-SNR = 10 log10(α² |s₀|² / |n|²).
[<Property(MaxTest = 100)>]
let ``SI-SNR of a scaled, shifted target plus orthogonal noise is 10 log10(α²|s₀|²/|n|²)`` () =
    let case = gen {
        let! s = samples
        let! raw = Gen.arrayOfLength s.Length (Generators.floatIn -1.0 1.0)
        let! alpha = Generators.floatIn 0.1 5.0
        let! c = Generators.floatIn -0.5 0.5
        let! level = Generators.floatIn 0.01 1.0
        return s, raw, alpha, c, level }
    Prop.forAll (Arb.fromGen case) (fun (s, raw, alpha, c, level) ->
        let centred (x: float[]) = let m = Array.average x in x |> Array.map (fun v -> v - m)
        let dot (x: float[]) (y: float[]) = Array.fold2 (fun a u v -> a + u * v) 0.0 x y
        let s0 = centred s
        let r0 = centred raw
        let n = Array.map2 (fun r t -> level * (r - dot r0 s0 / dot s0 s0 * t)) r0 s0 // Gram-Schmidt, then scaled
        let estimate = Array.map2 (fun t e -> alpha * t + c + e) s0 n
        let expected = 10.0 * log10 (alpha * alpha * dot s0 s0 / dot n n)
        let f32 (x: float[]) = x |> Array.map float32
        let got = SiSnr.Of(f32 estimate, f32 s)
        // float32 samples: agreement to a small fraction of a dB while the noise stays well above their rounding.
        (dot n n < 1e-6 || abs (got - expected) < 1e-2) |> Prop.label $"got {got}, expected {expected}")

[<Property(MaxTest = 30)>]
let ``a sound written as WAV reads back sample for sample at its rate`` () =
    Prop.forAll (Arb.fromGen (Gen.zip samples (Gen.elements [ 8000; 16000; 44100 ]))) (fun (s, rate) ->
        let sound = Sound(s |> Array.map float32, rate)
        let path = Path.GetTempFileName()
        try
            File.WriteAllBytes(path, sound.ToWav())
            let back = Sound.Read path
            back.Rate = rate && back.Samples = sound.Samples
        finally File.Delete path)

[<Fact>]
let ``a stereo 16-bit WAV is read as the mean of its channels`` () =
    let path = Path.GetTempFileName()
    try
        let left, right = [| 0.5f; -0.25f; 0.0f; 0.75f |], [| 0.25f; 0.25f; -0.5f; -0.75f |]
        do
            use w = new WaveFileWriter(path, WaveFormat(22050, 16, 2))
            w.WriteSamples(Array.init 8 (fun i -> if i % 2 = 0 then left.[i / 2] else right.[i / 2]), 0, 8)
        let back = Sound.Read path
        Assert.Equal(22050, back.Rate)
        let expected = Array.map2 (fun l r -> (l + r) / 2f) left right
        Assert.All(Array.zip expected back.Samples, fun (e, g) -> Assert.InRange(abs (e - g), 0f, 1f / 32768f))
    finally File.Delete path

let private expand (text: string) =
    let f = ExperimentFile.Parse(text, "exp.yaml", Path.Combine(Generators.repoRoot, "data"))
    f.Experiments |> Seq.collect (fun e -> Sweep.Expand(f, e)) |> Seq.toList

let private refused (data: string) (model: string) =
    Assert.Throws<ConfigException>(fun () ->
        expand $"experiments:\n  a:\n    data: {data}\n    model: {model}\n    train: {{iterations: 1}}\n" |> ignore)

[<Fact>]
let ``audio configurations that cannot work are refused at the key`` () =
    let tile = refused "{audio: \"generated:chord\"}" "{widths: [4], tile: [2, 2]}"
    Assert.Contains("audio coordinates are 1-D", tile.Message)
    Assert.Contains("model.tile", tile.Message)
    Assert.Contains("data.size", (refused "{audio: \"generated:chord\", size: 8}" "{widths: [4], tile: [2]}").Message)
    Assert.Contains("generated:chord", (refused "{audio: \"generated:noise\"}" "{widths: [4], tile: [2]}").Message)
    Assert.Contains("audio file not found", (refused "{audio: nowhere.wav}" "{widths: [4], tile: [2]}").Message)
    Assert.Contains("data.audio", (refused "{audio: \"generated:chord\", scene: procedural}" "{widths: [4], tile: [2]}").Message)

/// A tiny audio sweep on one backend: a 200-sample sine at 1 kHz, PE MLP and LoE rows.
let private runTiny (backend: string) =
    let dir = Directory.CreateTempSubdirectory("loe-audio-").FullName
    let wav = Path.Combine(dir, "tone.wav")
    File.WriteAllBytes(wav, Sound(Array.init 200 (fun i -> 0.5f * float32 (sin (2.0 * Math.PI * 50.0 * float i / 1000.0))), 1000).ToWav())
    let yaml = Path.Combine(dir, "exp.yaml")
    File.WriteAllLines(yaml,
        [ "experiments:"
          "  tiny:"
          "    data: {audio: tone.wav}"
          "    model: {widths: [8, 8], tile: [1], layout: pe-mlp, pe_frequencies: 4}"
          "    train: {iterations: 4, batch_size: 0, lr: 0.01, log_every: 2, checkpoint_every: 2}"
          "    sweep:"
          "      row:"
          "        - {name: pe-mlp}"
          "        - {name: ours, model: {tile: [4], layout: coarse-to-fine}}" ])
    let o = RunOptions(File = yaml, Experiment = "tiny", Out = dir, Threads = Nullable 1, Backend = backend)
    Assert.Equal(0, RunCommand.ExecuteAsync(o, TextWriter.Null, TextWriter.Null, CancellationToken.None).GetAwaiter().GetResult())
    dir, wav

[<Theory>]
[<InlineData("torch")>]
[<InlineData("reference")>]
let ``loe run fits a WAV file, writes reconstruction.wav, waveform.png and SI-SNR, and loe render resamples it`` (backend: string) =
    let dir, wav = runTiny backend
    try
        let target = Sound.Read wav
        let ours = Directory.GetDirectories(Path.Combine(dir, "tiny")) |> Array.find (fun f -> Path.GetFileName(f).StartsWith "ours")
        let fitted = Sound.Read(Path.Combine(ours, "reconstruction.wav"))
        Assert.Equal((200, 1000), (fitted.Samples.Length, fitted.Rate))
        Assert.True(File.Exists(Path.Combine(ours, "waveform.png")))
        // final.json's SI-SNR is that of the file written beside it.
        let final = LoE.Host.Output.RunFinal.Read(Path.Combine(ours, "final.json"))
        Assert.Equal(SiSnr.Of(fitted.Samples, target.Samples), final.Number "si_snr_db", 6)
        Assert.True(Double.IsNaN final.Ssim)
        Assert.Contains("SI-SNR (dB)", File.ReadAllText(Path.Combine(dir, "tiny", "summary.md")))
        Assert.Contains("si_snr_db", File.ReadAllLines(Path.Combine(dir, "tiny", "summary.csv")).[0])
        let out = Path.Combine(dir, "twice.wav")
        let render = RenderOptions(RunDir = ours, Scale = Nullable 2.0, Out = out, Backend = backend)
        Assert.Equal(0, RenderCommand.ExecuteAsync(render, TextWriter.Null).GetAwaiter().GetResult())
        let twice = Sound.Read out
        Assert.Equal((400, 2000), (twice.Samples.Length, twice.Rate))
    finally Directory.Delete(dir, true)

[<Fact>]
let ``a file that is not a WAV stops the run before training, naming data.audio and the file`` () =
    let dir = Directory.CreateTempSubdirectory("loe-audio-").FullName
    try
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "not a sound")
        let f = ExperimentFile.Parse("experiments:\n  a:\n    data: {audio: notes.txt}\n    model: {widths: [4], tile: [2], layout: pe-mlp}\n    train: {iterations: 1, lr: 0.01}\n", "exp.yaml", dir)
        let e = Assert.Throws<ConfigException>(fun () -> TaskTable.Prepare(Sweep.Expand(f, f.Find "a")) |> ignore)
        Assert.Contains("data.audio", e.Message)
        Assert.Contains("notes.txt: not a WAV file", e.Message)
    finally Directory.Delete(dir, true)
