module LoE.Tests.SweepTests

open System
open System.Diagnostics
open System.IO
open System.Text.Json
open System.Threading
open Xunit
open LoE.Host.Config
open LoE.Host.Cli
open LoE.Host.Output

let private repo = Generators.repoRoot

/// Tiny experiments (16×16 image, two layers of 8): seconds each. `tiny` sweeps two layouts; `diverge` sweeps a
/// learning rate that makes the loss infinite; `child` extends `tiny`; `pinned` is `tiny` at one thread per run.
let private yamlText iterations =
    $"""
base: &base
  data: {{image: {Path.Combine(repo, "data", "camera.png")}, size: 16}}
  model: {{widths: [8, 8], tile: [2, 2], layout: quad-tree, pe_frequencies: 4}}
  train: {{iterations: {iterations}, lr: 0.005, log_every: 50, checkpoint_every: 25}}
experiments:
  tiny:
    <<: *base
    sweep: {{model.layout: [pe-mlp, quad-tree]}}
    seeds: [0]
    paper: {{pe-mlp: 31.38, quad-tree: 40.55}}
  diverge:
    <<: *base
    sweep: {{train.lr: [1.0e6, 0.005]}}
  child:
    extends: tiny
    train: {{iterations: 7}}
  pinned:
    extends: tiny
    threads: 1
  pinned-child:
    extends: pinned
"""

let private tempDir () = Directory.CreateTempSubdirectory("loe-sweep-").FullName

let private writeYaml iterations =
    let dir = tempDir ()
    let path = Path.Combine(dir, "exp.yaml")
    File.WriteAllText(path, yamlText iterations)
    path

let private run (options: RunOptions) =
    RunCommand.ExecuteAsync(options, TextWriter.Null, TextWriter.Null, CancellationToken.None).GetAwaiter().GetResult()

let private finalPsnr (folder: string) =
    use doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "final.json")))
    doc.RootElement.GetProperty("psnr_db").GetDouble()

/// `dotnet loe.dll run ...` as a child process (the loe built next to the tests).
let private startLoe (args: string list) =
    let dll = Path.Combine(AppContext.BaseDirectory, "loe.dll")
    let start = ProcessStartInfo("dotnet", RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false)
    start.ArgumentList.Add dll
    for a in args do start.ArgumentList.Add a
    let p = Process.Start start
    // Drain the pipes so the child never blocks on a full buffer.
    p.OutputDataReceived.Add ignore
    p.ErrorDataReceived.Add ignore
    p.BeginOutputReadLine()
    p.BeginErrorReadLine()
    p

let private runArgs yaml out = [ "run"; yaml; "--experiment"; "tiny"; "--out"; out; "--threads"; "1" ]

[<Fact>]
let ``a sweep killed after a checkpoint and run again ends with the same metrics as an uninterrupted one`` () =
    let yaml = writeYaml 1500
    let whole, killed = tempDir (), tempDir ()
    use uninterrupted = startLoe (runArgs yaml whole)
    use victim = startLoe (runArgs yaml killed)
    let runFolders () =
        let d = Path.Combine(killed, "tiny")
        if Directory.Exists d then Directory.GetDirectories d else [||]
    let clock = Stopwatch.StartNew()
    let partial () =
        runFolders () |> Array.exists (fun f -> File.Exists(Path.Combine(f, "checkpoint.bin")) && not (File.Exists(Path.Combine(f, "final.json"))))
    while not (partial ()) && not victim.HasExited && clock.Elapsed < TimeSpan.FromSeconds 60.0 do
        Thread.Sleep 5
    Assert.False(victim.HasExited, "the run finished before it could be killed")
    victim.Kill(entireProcessTree = true) // SIGKILL: no chance to clean up
    victim.WaitForExit()
    let finishedBefore = runFolders () |> Array.filter (fun f -> File.Exists(Path.Combine(f, "final.json"))) |> Array.length
    Assert.True(finishedBefore < 2, "both runs finished before the kill")
    // The checkpoint left behind is whole, and the folder says partial.
    let loaded = Sweep.Expand(ExperimentFile.Load yaml, (ExperimentFile.Load yaml).Find "tiny")
    let states = loaded |> Seq.map (fun r -> (RunFolder.For(killed, r)).State(r.Config.Hash)) |> List.ofSeq
    Assert.Contains(RunState.Partial, states)
    for r in loaded do
        let folder = RunFolder.For(killed, r)
        if folder.State(r.Config.Hash) = RunState.Partial then
            CheckpointFile.Read(folder.CheckpointPath, r.Config.Hash) |> ignore

    use again = startLoe (runArgs yaml killed)
    again.WaitForExit()
    uninterrupted.WaitForExit()
    Assert.Equal(0, again.ExitCode)
    Assert.Equal(0, uninterrupted.ExitCode)
    for r in loaded do
        let a = finalPsnr (RunFolder.For(whole, r)).Path
        let b = finalPsnr (RunFolder.For(killed, r)).Path
        Assert.True(abs (a - b) <= 1e-9 * abs a, $"{r.Id}: uninterrupted {a} dB, killed and resumed {b} dB")

[<Fact>]
let ``extends inherits the other experiment and bad extends or run ids are reported with file, line and key`` () =
    let text = yamlText 20
    let parse (t: string) = ExperimentFile.Parse(t, "exp.yaml", repo)
    let child = (parse text).Find "child"
    let runs = Sweep.Expand(parse text, child)
    Assert.Equal(2, runs.Count)
    Assert.All(runs, fun r -> Assert.Equal(7, r.Config.Train.Iterations))
    Assert.All(runs, fun r -> Assert.Equal(0.005, r.Config.Train.Lr))
    Assert.Equal(40.55, child.PaperPsnrDb.["quad-tree"])

    let unknown = Assert.Throws<ConfigException>(fun () -> parse (text.Replace("extends: tiny", "extends: tiyn")) |> ignore)
    Assert.Equal("experiments.child.extends", unknown.Key)
    Assert.Equal(16, unknown.Line)
    Assert.Contains("did you mean 'tiny'", unknown.Message)
    Assert.StartsWith("exp.yaml:16:", unknown.Message)

    let cycle = text.Replace("  tiny:\n    <<: *base", "  tiny:\n    extends: child\n    <<: *base")
    let e = Assert.Throws<ConfigException>(fun () -> parse cycle |> ignore)
    Assert.Contains("circle", e.Message)

    let negative = Assert.Throws<ConfigException>(fun () ->
        let f = parse (text.Replace("checkpoint_every: 25", "checkpoint_every: -1")) in Sweep.Expand(f, f.Find "tiny") |> ignore)
    Assert.Equal("train.checkpoint_every", negative.Key)

    let yaml = writeYaml 20
    let badId = Assert.Throws<ConfigException>(fun () ->
        run (RunOptions(File = yaml, Experiment = "tiny", Out = tempDir (), RunId = "quad-tree-s0-00000000")) |> ignore)
    Assert.Equal("--run-id", badId.File)
    Assert.Contains("configuration changed since", badId.Message)

[<Fact>]
let ``the Slurm dry run writes a job array with one task per run id`` () =
    let yaml = writeYaml 20
    let out = tempDir ()
    let options =
        RunOptions(File = yaml, Experiment = "tiny", Out = out, Executor = "slurm", DryRun = true,
                   Set = [ "seeds=[0,1,2]" ], SlurmPartition = "short", SlurmTime = "0:10:00", SlurmCpus = Nullable 3)
    Assert.Equal(0, run options)
    let script = File.ReadAllText(Path.Combine(out, "tiny", "slurm", "run.sbatch"))
    let f = ExperimentFile.Load yaml
    let ids = Sweep.Expand(f, f.Find "tiny", Override.Parse [ "seeds=[0,1,2]" ]) |> Seq.map (fun r -> r.Id) |> List.ofSeq
    Assert.Equal(6, ids.Length)
    Assert.Contains("#SBATCH --array=0-5\n", script)
    Assert.Contains("#SBATCH --partition=short\n", script)
    Assert.Contains("#SBATCH --time=0:10:00\n", script)
    Assert.Contains("#SBATCH --cpus-per-task=3\n", script)
    let lines = script.Split '\n'
    let first = Array.IndexOf(lines, "ids=(")
    let listed = lines |> Array.skip (first + 1) |> Array.takeWhile (fun l -> l <> ")") |> Array.map (fun l -> l.Trim()) |> List.ofArray
    Assert.Equal<string list>(ids, listed)
    Assert.Contains("${ids[$SLURM_ARRAY_TASK_ID]}", script)
    Assert.Contains("--run-id \"$id\"", script)
    Assert.Contains("--set 'seeds=[0,1,2]'", script)
    Assert.True(File.Exists(Path.Combine(out, "tiny", "slurm", "report.sbatch")))
    // A dry run trains nothing.
    Assert.Empty(Directory.GetDirectories(Path.Combine(out, "tiny")) |> Array.filter (fun d -> Path.GetFileName d <> "slurm"))
    // Without --slurm-cpus, an experiment's pinned threads are what each task asks for.
    Assert.Equal(0, run (RunOptions(File = yaml, Experiment = "pinned", Out = out, Executor = "slurm", DryRun = true)))
    Assert.Contains("#SBATCH --cpus-per-task=1\n", File.ReadAllText(Path.Combine(out, "pinned", "slurm", "run.sbatch")))

[<Fact>]
let ``loe report rebuilds summary.csv, summary.md and psnr.png from the run folders of every invocation`` () =
    let yaml = writeYaml 20
    let out = tempDir ()
    Assert.Equal(0, run (RunOptions(File = yaml, Experiment = "tiny", Out = out, Threads = Nullable 1)))
    // A second invocation adds a seed; the summary covers both.
    Assert.Equal(0, run (RunOptions(File = yaml, Experiment = "tiny", Out = out, Threads = Nullable 1, Set = [ "seeds=[1]" ])))
    let folder = Path.Combine(out, "tiny")
    for f in [ "summary.csv"; "summary.md"; "psnr.png" ] do File.Delete(Path.Combine(folder, f))
    // Without the experiments file.
    File.Delete yaml
    Assert.Equal(0, ReportCommand.ExecuteAsync(ReportOptions(Folder = out), TextWriter.Null).Result)
    let csv = File.ReadAllLines(Path.Combine(folder, "summary.csv"))
    let header = csv.[0].Split ','
    Assert.Equal(3, csv.Length)
    let cell (row: string) name = row.Split(',').[Array.IndexOf(header, name)]
    Assert.Equal("pe-mlp", cell csv.[1] "model.layout")
    Assert.Equal("0;1", cell csv.[1] "seed")
    Assert.Equal("2", cell csv.[1] "done")
    // Mean and sample standard deviation over the two seeds, from their final.json: for two values the sample
    // deviation is |a − b| / √2 (the population one would be |a − b| / 2).
    let psnrs =
        Directory.GetDirectories(folder) |> Array.filter (fun d -> Path.GetFileName(d).StartsWith "pe-mlp")
        |> Array.map (fun d -> JsonDocument.Parse(File.ReadAllText(Path.Combine(d, "final.json"))).RootElement.GetProperty("psnr_db").GetDouble())
    Assert.Equal(2, psnrs.Length)
    Assert.Equal(Math.Round((psnrs.[0] + psnrs.[1]) / 2.0, 4, MidpointRounding.AwayFromZero), float (cell csv.[1] "psnr_db"), 9)
    Assert.Equal(Math.Round(abs (psnrs.[0] - psnrs.[1]) / sqrt 2.0, 4, MidpointRounding.AwayFromZero), float (cell csv.[1] "psnr_db_std"), 9)
    Assert.Equal("40.55", cell csv.[2] "paper_psnr_db")
    let md = File.ReadAllText(Path.Combine(folder, "summary.md"))
    Assert.Contains("±", md)
    Assert.Contains("paper (dB)", md)
    let png = File.ReadAllBytes(Path.Combine(folder, "psnr.png"))
    Assert.True(png.Length > 1000)
    Assert.Equal<byte[]>([| 0x89uy; byte 'P'; byte 'N'; byte 'G' |], png.[0..3])

[<Fact>]
let ``a diverging run is marked failed and the other runs of the sweep still finish`` () =
    let yaml = writeYaml 20
    let out = tempDir ()
    let code = run (RunOptions(File = yaml, Experiment = "diverge", Out = out, Threads = Nullable 1))
    Assert.Equal(1, code)
    let f = ExperimentFile.Load yaml
    let runs = Sweep.Expand(f, f.Find "diverge")
    let failed, fine = runs.[0], runs.[1]
    let failedFolder = RunFolder.For(out, failed)
    Assert.Equal(RunState.Failed, failedFolder.State(failed.Config.Hash))
    Assert.Contains("diverged", File.ReadAllText(failedFolder.File "failed.json"))
    Assert.Equal(RunState.Done, (RunFolder.For(out, fine)).State(fine.Config.Hash))
    let csv = File.ReadAllText(Path.Combine(out, "diverge", "summary.csv"))
    Assert.Contains(",failed\n", csv)
    Assert.Contains(",done\n", csv)
    Assert.Contains("diverged", File.ReadAllText(Path.Combine(out, "diverge", "summary.md")))

[<Fact>]
let ``an experiment's threads pin every run's thread count and fill the machine with runs, whatever --threads says`` () =
    let yaml = writeYaml 20
    let f = ExperimentFile.Load yaml
    Assert.Equal(Nullable 1, (f.Find "pinned-child").Threads)
    Assert.False((f.Find "tiny").Threads.HasValue)
    let out = tempDir ()
    let loe (options: RunOptions) =
        let said = new StringWriter()
        Assert.Equal(0, RunCommand.ExecuteAsync(options, said, TextWriter.Null, CancellationToken.None).GetAwaiter().GetResult())
        said.ToString()
    // Two threads in all, one run at a time: the experiment's one thread wins over the machine's share.
    Assert.Contains("1 at a time with 1 thread each", loe (RunOptions(File = yaml, Experiment = "pinned", Out = out, Threads = Nullable 2, Jobs = Nullable 1)))
    for run in Sweep.Expand(f, f.Find "pinned") do
        let header = File.ReadAllText(Path.Combine(out, "pinned", run.Id, "config.yaml"))
        Assert.Contains(", 1 threads (not part of the run id)", header)
        // The CPU it ran on, since the last digits follow it: this machine's vector instructions and processors.
        Assert.Contains($"{Environment.ProcessorCount} processors (not part of the run id", header)
        Assert.Contains((if Runtime.Intrinsics.X86.Avx512F.IsSupported then ", AVX-512, " elif Runtime.Intrinsics.X86.Avx2.IsSupported then ", AVX2, " else ", "), header)
    // loe list says so.
    let listed = new StringWriter()
    Assert.Equal(0, ListCommand.Execute(ListOptions(File = yaml, Experiment = "pinned", Out = out), listed))
    Assert.Contains("20 iterations, 1 thread per run", listed.ToString())
    // Without --jobs, as many runs at once as the threads allow.
    Assert.Contains("2 at a time with 1 thread each", loe (RunOptions(File = yaml, Experiment = "pinned", Out = out, Threads = Nullable 2)))

[<Fact>]
let ``an experiment's threads must be a whole number of at least one, and the error names the key and line`` () =
    let path = writeYaml 20
    File.WriteAllText(path, File.ReadAllText(path).Replace("threads: 1", "threads: 0"))
    let e = Assert.Throws<ConfigException>(fun () -> ExperimentFile.Load path |> ignore)
    Assert.Contains("experiments.pinned.threads", e.Message)
    Assert.Contains("exp.yaml:", e.Message)
