module LoE.Tests.ConfigTests

open System
open System.IO
open System.Text.RegularExpressions
open System.Threading
open System.Threading.Tasks
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open LoE.Host
open LoE.Host.Config
open LoE.Host.Cli

let private repo = Generators.repoRoot
let private tempDir () = Directory.CreateTempSubdirectory("loe-config-").FullName

/// A small valid experiment file in a temporary folder (camera.png beside it); `edit` makes it bad.
let private yaml (edit: string -> string) =
    """
base: &base
  data: {image: camera.png, size: 16}
  model: {widths: [8, 8], tile: [2, 2], layout: quad-tree}
  train:
    iterations: 20
    lr: 0.005
experiments:
  tiny:
    <<: *base
    sweep: {model.layout: [pe-mlp, quad-tree]}
""" |> edit

let private write (text: string) =
    let dir = tempDir ()
    File.Copy(Path.Combine(repo, "data", "camera.png"), Path.Combine(dir, "camera.png"))
    let path = Path.Combine(dir, "exp.yaml")
    File.WriteAllText(path, text)
    path

/// Every experiment of a YAML text expanded into its runs (paths relative to data/, where camera.png is).
let expand (text: string) =
    let f = ExperimentFile.Parse(text, "exp.yaml", Path.Combine(repo, "data"))
    f.Experiments |> Seq.map (fun e -> Sweep.Expand(f, e)) |> Seq.toList

let private configError (text: string) = Assert.Throws<ConfigException>(fun () -> expand text |> ignore)

/// `loe ARGS` in this process: exit code, standard output, standard error.
let private loe (args: string list) =
    let out, err = new StringWriter(), new StringWriter()
    let code = Program.RunAsync(List.toArray args, out, err, CancellationToken.None).GetAwaiter().GetResult()
    code, out.ToString(), err.ToString()

// ---- one definition, its copies ----

let private between (text: string) (first: string) =
    let i = text.IndexOf first
    if i < 0 then "" else text.Substring i

[<Fact>]
let ``experiments.yaml's key reference and the README's key table are exactly what loe keys generates`` () =
    let yamlText = File.ReadAllText(Path.Combine(repo, "experiments.yaml"))
    let readme = File.ReadAllText(Path.Combine(repo, "README.md"))
    Assert.True(yamlText.Contains(KeyReference.Yaml()),
                "experiments.yaml's key comment differs from `loe keys --yaml`: paste its output over the comment block")
    Assert.True(readme.Contains(KeyReference.Markdown()),
                "the README's key table differs from `loe keys --markdown`: paste its output over the table")
    let code, out, _ = loe [ "keys"; "--markdown" ]
    Assert.Equal(0, code)
    Assert.Equal(KeyReference.Markdown(), out)

[<Fact>]
let ``every key the configuration reads is in the generated reference, and every layout in model.layout's help`` () =
    let reference = KeyReference.Plain()
    for k in Schema.KeyNames do Assert.Contains(k, reference)
    let help = (Schema.Keys |> Seq.find (fun k -> k.Key = "model.layout")).Help
    for name in ModelConfig.LayoutNames do Assert.Contains(name, help)
    // Two sections (or two tasks' sections) declaring one key would read it twice, each its own way.
    let declared = Schema.Keys |> Seq.map (fun k -> k.Key) |> Seq.toList
    Assert.Empty(declared |> List.countBy id |> List.filter (fun (_, n) -> n > 1))

[<Fact>]
let ``section defaults are the typed values the run uses: omega0 30, nearest, PE input, LeakyReLU`` () =
    let run = (expand (yaml id)).Head.[0]
    Assert.Equal(30.0, run.Config.Model.Omega0)
    Assert.Equal(LoE.Core.Interpolation.Nearest, run.Config.Model.Interpolation)
    Assert.Equal(LoE.Core.InputMapping.Positional, run.Config.Model.Input)
    Assert.Equal(LoE.Core.Activation.LeakyRelu, run.Config.Model.Activation)
    Assert.Equal(0.999, run.Config.Train.Beta2)
    // bilinear is the same run as nlinear: one canonical spelling in the hash.
    let nlinear = expand (yaml (fun s -> s.Replace("layout: quad-tree}", "layout: quad-tree, interpolation: nlinear}")))
    let bilinear = expand (yaml (fun s -> s.Replace("layout: quad-tree}", "layout: quad-tree, interpolation: bilinear}")))
    Assert.Equal<string seq>(nlinear.Head |> Seq.map (fun r -> r.Id), bilinear.Head |> Seq.map (fun r -> r.Id))

// ---- bounds ----

[<Theory>]
[<InlineData("size: 16", "size: 100000000", "data.size")>]
[<InlineData("size: 16", "size: [16, 1e12]", "data.size[1]")>]
[<InlineData("size: 16", "size: 16384, frames: 3", "")>]
[<InlineData("widths: [8, 8]", "widths: [100000000, 8]", "model.widths[0]")>]
[<InlineData("widths: [8, 8]", "widths: [16384, 16384, 16384]", "model.widths")>]
[<InlineData("tile: [2, 2]", "tile: [100000, 2]", "model.tile[0]")>]
[<InlineData("layout: quad-tree}", "layout: quad-tree, embedding_channels: 100000}", "model.embedding_channels")>]
[<InlineData("layout: quad-tree}", "layout: quad-tree, embedding_channels: 64, embedding_resolution: 16384}", "model.embedding_resolution")>]
[<InlineData("layout: quad-tree}", "layout: quad-tree, pe_frequencies: 1000}", "model.pe_frequencies")>]
[<InlineData("iterations: 20", "iterations: 1e12", "train.iterations")>]
[<InlineData("lr: 0.005", "lr: 0.005\n    batch_size: 2147483647", "train.batch_size")>]
let ``absurd sizes, counts and resolutions are refused before anything runs, naming file, line and key`` (from: string, into: string, key: string) =
    let text = yaml (fun s -> s.Replace(from, into))
    if key = "" then expand text |> ignore // at the bound, and frames that do not apply to an image: fine
    else
        let e = configError text
        Assert.Equal(key, e.Key)
        Assert.Equal("exp.yaml", e.File)
        Assert.True(e.Line > 0)

[<Fact>]
let ``data.size 100000000 through loe list ends with exit code 2 and one line`` () =
    let path = write (yaml (fun s -> s.Replace("size: 16", "size: 100000000")))
    let code, _, err = loe [ "list"; path ]
    Assert.Equal(2, code)
    Assert.Equal($"{path}:3:35: data.size: must be at most {Limits.Side}, got 100000000", err.Trim())

[<Fact>]
let ``a block scalar where a mapping belongs is described on one line`` () =
    // Found by the damaged-file property: `paper: >` folded the whole table into one multi-line message.
    let text = yaml (fun s -> s.Replace("    sweep: {model.layout: [pe-mlp, quad-tree]}", "    sweep: {model.layout: [pe-mlp, quad-tree]}\n    paper: >\n      pe-mlp: 31.38\n      quad-tree: 40.55"))
    let e = configError text
    Assert.Equal("experiments.tiny.paper", e.Key)
    Assert.DoesNotContain("\n", e.Message)
    Assert.Contains("pe-mlp: 31.38 quad-tree: 40.55", e.Message)

// Both found by the damaged-file property below: YamlDotNet failed with an ArgumentException on the first and
// recursed until the stack overflowed (killing the process) on the second.
[<InlineData("    lr: 0.005", "    : lr: 0.005", 7)>]
[<InlineData("  model: {", "  self: *base\n  model: {", 4)>]
[<Theory>]
let ``YAML the parser cannot place is a configuration error at its line, not a crash`` (from: string, into: string, line: int) =
    let e = configError (yaml (fun s -> s.Replace(from, into)))
    Assert.Equal("exp.yaml", e.File)
    Assert.Equal(line, e.Line)

// ---- every value written is checked ----

[<Fact>]
let ``a misspelt base value is reported even where a sweep replaces it`` () =
    let e = configError (yaml (fun s -> s.Replace("layout: quad-tree}", "layout: quadtree}")))
    Assert.Equal("model.layout", e.Key)
    Assert.Equal(4, e.Line)
    Assert.Contains("did you mean 'quad-tree'", e.Message)

[<Fact>]
let ``a misspelt base value is reported even where a row or --set replaces it`` () =
    let rows = yaml (fun s -> s.Replace("sweep: {model.layout: [pe-mlp, quad-tree]}", "sweep: {row: [{name: a, train: {lr: 0.1}}]}")
                               .Replace("lr: 0.005", "lr: fast"))
    let e = configError rows
    Assert.Equal("train.lr", e.Key)
    Assert.Equal(7, e.Line)
    let f = ExperimentFile.Parse(yaml (fun s -> s.Replace("iterations: 20", "iterations: many")), "exp.yaml", Path.Combine(repo, "data"))
    let e = Assert.Throws<ConfigException>(fun () -> Sweep.Expand(f, f.Find "tiny", Override.Parse [ "train.iterations=5" ]) |> ignore)
    Assert.Equal("train.iterations", e.Key)
    Assert.Equal(6, e.Line)

[<Fact>]
let ``a value written where its key does not apply is still checked`` () =
    let e = configError (yaml (fun s -> s.Replace("layout: quad-tree}", "layout: quad-tree, omega0: fast}")))
    Assert.Equal("model.omega0", e.Key)
    // ... and left out of the run: the same ids as without it.
    let withIt = expand (yaml (fun s -> s.Replace("layout: quad-tree}", "layout: quad-tree, omega0: 10}")))
    Assert.Equal<string seq>((expand (yaml id)).Head |> Seq.map (fun r -> r.Id), withIt.Head |> Seq.map (fun r -> r.Id))

// ---- damaged data ----

[<Fact>]
let ``a truncated PNG stops the run before anything is written, with an error naming the file`` () =
    let path = write (yaml id)
    let image = Path.Combine(Path.GetDirectoryName path, "camera.png")
    let bytes = File.ReadAllBytes image
    File.WriteAllBytes(image, bytes.[.. bytes.Length / 3])
    let out = Path.Combine(tempDir (), "runs")
    let code, _, err = loe [ "run"; path; "-e"; "tiny"; "--out"; out ]
    Assert.Equal(2, code)
    Assert.StartsWith($"{path}:3:", err)
    Assert.Contains("data.image", err)
    Assert.Contains(image, err)
    Assert.Contains("truncated", err)
    Assert.False(Directory.Exists out, "nothing is written")

// ---- malformed experiment files ----

/// Random edits of the real experiments.yaml, one to three at a time.
let private original = Collections.Generic.HashSet(File.ReadAllLines(Path.Combine(repo, "experiments.yaml")))

let private edits =
    let lines = File.ReadAllLines(Path.Combine(repo, "experiments.yaml"))
    let wrong = [| "fast"; "[1, 2]"; "{a: 1}"; "-1"; "0"; "1e400"; "99999999999"; "100000000"; "1e308"; ""; "null"; "true"; "~"; "[]"; "quadtree"; "'"; "[[1, 2], [3]]" |]
    let stray = [| ":"; "["; "]"; "{"; "}"; "&"; "*"; "!"; "|"; ">"; "'"; "\""; "%"; "@"; "`"; "#"; ","; "-"; "\t"; "<<: *x"; "  " |]
    let valueOf (line: string) = let i = line.IndexOf ": " in if i < 0 then None else Some(line.Substring(0, i + 2), line.Substring(i + 2))
    let edit (ls: string list) = gen {
        let arr = List.toArray ls
        let! i = Gen.choose (0, arr.Length - 1)
        let! kind = Gen.choose (0, 4)
        match kind with
        | 0 -> return List.removeAt i ls
        | 1 ->
            let! j = Gen.choose (0, arr.Length - 1)
            match valueOf arr.[i], valueOf arr.[j] with
            | Some(ki, vi), Some(kj, vj) -> arr.[i] <- ki + vj; arr.[j] <- kj + vi
            | _ -> ()
            return List.ofArray arr
        | 2 ->
            let! w = Gen.elements wrong
            match valueOf arr.[i] with
            | Some(k, _) -> arr.[i] <- k + w
            | None -> ()
            return List.ofArray arr
        | 3 ->
            let! s = Gen.elements stray
            let! at = Gen.choose (0, arr.[i].Length)
            arr.[i] <- arr.[i].Insert(at, s)
            return List.ofArray arr
        | _ ->
            let! huge = Gen.elements [| "100000000"; "99999999999999999999"; "1e308"; "-100000000" |]
            arr.[i] <- Regex.Replace(arr.[i], @"\b\d+(\.\d+)?\b", huge)
            return List.ofArray arr }
    gen {
        let! n = Gen.choose (1, 3)
        let mutable g = Gen.constant (List.ofArray lines)
        for _ in 1 .. n do g <- Gen.bind edit g
        return! g }

let private folder = lazy (
    let dir = tempDir ()
    for f in Directory.GetFiles(Path.Combine(repo, "data")) do File.Copy(f, Path.Combine(dir, Path.GetFileName f))
    dir)

[<Property(MaxTest = 150)>]
let ``a randomly damaged experiments.yaml passes validation or ends with exit code 2 and one line naming file, line and key`` () =
    Generators.forAll edits (fun (lines: string list) ->
        let dir = folder.Force()
        let path = Path.Combine(dir, $"exp-{Guid.NewGuid():N}.yaml")
        File.WriteAllLines(path, lines)
        let out = Path.Combine(dir, "runs-" + Guid.NewGuid().ToString "N")
        let work = Task.Run(fun () -> loe [ "list"; path; "--out"; out ])
        // Generous: a shared 2-core machine under load validates a file in well under a second, but not always.
        Assert.True(work.Wait(TimeSpan.FromSeconds 60.0), "no hang")
        let code, _, err = work.Result
        // The same check in process, for the exception's key.
        let error =
            try
                let f = ExperimentFile.Load path
                for e in f.Experiments do Sweep.Expand(f, e) |> ignore
                None
            with :? ConfigException as e -> Some e
        let written = Directory.Exists out
        File.Delete path
        Assert.False(written, "nothing written")
        try
            match code, error with
            | 0, None -> Assert.Equal("", err)
            | 2, Some e ->
                let line = err.TrimEnd()
                Assert.Equal(e.Message, line)
                Assert.DoesNotContain("\n", line)
                Assert.Matches($"^{Regex.Escape path}:[1-9][0-9]*:[1-9][0-9]*: ", line)
                // A key after the place, except for YAML syntax errors, which happen before there are keys.
                let syntax = e.InnerException :? YamlDotNet.Core.YamlException || e.InnerException :? InvalidOperationException
                Assert.True(syntax || not (String.IsNullOrEmpty e.Key), $"no key in: {line}")
            | c, _ -> failwith $"exit code {c}"
        with ex ->
            let changed = lines |> List.filter (fun l -> not (original.Contains l))
            failwith $"{ex.Message}\nedited lines: %A{changed}\nstderr: {err}")
