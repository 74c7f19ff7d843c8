namespace LoE

open LoE.Core

open System
open System.Diagnostics
open System.IO
open TorchSharp

/// Speed of one full training step (forward, backward, Adam) on the torch backend, measured side by side for
/// a dense MLP of the same shape (our speed limit), LoE nearest, LoE N-linear, and the naive masked per-expert
/// loop of the authors' published snippet (written here only, as a yardstick).
module Bench =
    type T = TorchBackend.T

    type Shape =
        { Name: string
          Model: ModelSpec
          OutChannels: int
          Coordinates: int }

    type Row =
        { Shape: string
          Variant: string
          Coordinates: int
          MedianSeconds: float
          RatioToDense: float
          GFlops: float
          /// Peak resident memory of the process during the shape's timed rounds, every variant alive (MiB).
          PeakMiB: float
          /// The share of a step spent in Adam's update.
          AdamShare: float
          /// Resident memory before, halfway through and after the memory run's steps (MiB; NaN when not asked
          /// for). A one-time rise (the allocator's high-water mark) shows in the first half; a leak in both.
          RssStartMiB: float
          RssMidMiB: float
          RssEndMiB: float }

    /// Whether resident memory grew in the second half of the memory run by more than 32 MiB and 2 %: growth that
    /// goes on after the first half is a leak, not the allocator settling.
    let grows (r: Row) = r.RssEndMiB - r.RssMidMiB > max 32.0 (0.02 * r.RssMidMiB)

    /// The three shapes of issue 5: the toy (section A), image fitting (section B), video fitting (section C).
    let shapes (coordinates: Func<string, int>) : Shape list =
        let layout2 scales = scales |> Array.map (fun s -> Layouts.scaled 2 s 0.0)
        [ { Name = "toy"; OutChannels = 1; Coordinates = coordinates.Invoke "toy"
            Model = ModelSpec.toy 8 (Array.create 9 64) [| 2; 2 |] (Layouts.preset "quad-tree" 9 2 0.0 0) Interpolation.Nearest 0.2 }
          { Name = "image"; OutChannels = 3; Coordinates = coordinates.Invoke "image"
            Model = ModelSpec.toy 13 [| 512; 384; 256; 256; 256; 256; 256 |] [| 4; 4 |]
                            (layout2 [| 4.0; 8.0; 32.0; 128.0; 512.0; 2048.0; 8192.0 |]) Interpolation.Nearest 0.2 }
          { Name = "video"; OutChannels = 3; Coordinates = coordinates.Invoke "video"
            Model = ModelSpec.toy 9 (Array.create 5 256) [| 4; 4; 4 |]
                            ([| 2.0; 8.0; 32.0; 128.0; 512.0 |] |> Array.map (fun s -> Layouts.scaled 3 s 0.0)) Interpolation.Nearest 0.2 } ]

    /// The published snippet's approach: for every expert, masked_select its rows, multiply, masked_scatter back.
    let private maskedForward (b: Backend<T>) (s: Shape) (experts: T[]) (ps: Params<T>) (input: T) =
        let layers = s.Model.HiddenWidths.Length
        let weight i = ps.[Networks.layerName i + ".weight"]
        let bias i = ps.[Networks.layerName i + ".bias"]
        let hidden =
            [ 1 .. layers ] |> List.fold (fun (x: T) i ->
                let w, bias = weight i, bias i
                let n, inW, outW = x.shape.[0], x.shape.[1], w.shape.[2]
                let mutable out = torch.zeros([| n; outW |], dtype = x.dtype)
                for e in 0 .. int w.shape.[0] - 1 do
                    let m = experts.[i - 1].eq(torch.tensor(int64 e)).unsqueeze(1L)
                    let xe = x.masked_select(m.expand(n, inW)).view(-1L, inW)
                    out <- out.masked_scatter(m.expand(n, outW), torch.addmm(bias.[e], xe, w.[e], 1.0f, 1.0f))
                b.leakyRelu s.Model.NegativeSlope out) input
        torch.addmm(bias (layers + 1), hidden, weight (layers + 1), 1.0f, 1.0f)

    /// Resident memory of this process now (MiB), from /proc/self/statm (Linux; NaN elsewhere).
    let private residentMiB () =
        try float (File.ReadAllText("/proc/self/statm").Split(' ').[1]) * float Environment.SystemPageSize / 1048576.0
        with _ -> nan

    /// Runs `f` while sampling resident memory every few milliseconds; returns f's result and the largest sample.
    /// (The kernel's VmHWM cannot be reset in every container, so the peak of one variant is sampled instead.)
    let private sampledPeak (f: unit -> 'a) =
        let peak = ref (residentMiB ())
        use stop = new System.Threading.CancellationTokenSource()
        let sampler =
            System.Threading.Tasks.Task.Run(fun () ->
                while not stop.IsCancellationRequested do
                    peak.Value <- max peak.Value (residentMiB ())
                    System.Threading.Thread.Sleep 2)
        let result = f ()
        stop.Cancel()
        sampler.Wait()
        result, max peak.Value (residentMiB ())

    /// One training step as the loop takes it, timed in two parts: loss and gradients, then Adam's update.
    let private timedStep (b: Backend<T>) (loss: T list -> T) (adam: Adam) (ps: T list) (state: Optim.AdamState<T>) =
        use _ = b.scope ()
        let clock = Stopwatch.StartNew()
        let _, grads = b.valueAndGrad loss ps
        let gradient = clock.Elapsed.TotalSeconds
        let _, next = Optim.adamStep b adam 1e-3 state ps grads
        next, gradient, clock.Elapsed.TotalSeconds - gradient

    /// One variant ready to step: its parameters and Adam state live across calls. `Step it` trains iteration `it`
    /// and returns the step's seconds and Adam's part of them.
    type private Runner = { Name: string; Step: int -> float * float; Free: unit -> unit }

    /// `loss it ps` is the loss of iteration `it`: a random-batch variant draws new points (and routes them) in it.
    let private runner (b: Backend<T>) (name: string) (loss: int -> Params<T> -> T) (initial: Params<T>) : Runner =
        let names = initial |> Map.toList |> List.map fst
        let lossAt it (values: T list) = loss it (List.zip names values |> Map.ofList)
        let adam = { Adam.Beta1 = 0.9; Beta2 = 0.999; Epsilon = 1e-8 }
        let ps = initial |> Map.toList |> List.map snd
        let state = ref (Optim.adamInit b ps)
        { Name = name
          Step = fun it ->
              let next, gradient, update = timedStep b (lossAt it) adam ps state.Value
              state.Value <- next
              gradient + update, update
          Free = fun () -> ps @ state.Value.M @ state.Value.V |> List.iter b.free }

    /// Times the variants side by side: `warmup` then `steps` rounds, each round one step of every variant, in an
    /// order that rotates from round to round, so that whatever the process or the machine does meanwhile (the first
    /// steps of a process ran 3× slower than later ones, whichever variant took them) falls on every variant alike.
    /// Per variant: the median step, Adam's median share, and resident memory before and after `memorySteps` further
    /// steps of it alone (memory must stay flat); and the peak resident memory of the timed rounds.
    let private timeSideBySide (cancel: System.Threading.CancellationToken) (runners: Runner list) warmup steps memorySteps =
        let count = List.length runners
        let times = Array.init count (fun _ -> ResizeArray<float * float>())
        let (), peak =
            sampledPeak (fun () ->
                for round in 1 .. warmup + steps do
                    cancel.ThrowIfCancellationRequested()
                    for k in 0 .. count - 1 do
                        let v = (k + round) % count
                        let t = runners.[v].Step round
                        if round > warmup then times.[v].Add t)
        let median (xs: float seq) = let a = Array.sort (Array.ofSeq xs) in a.[a.Length / 2]
        let results =
            runners |> List.mapi (fun v r ->
                let rssStart = if memorySteps > 0 then residentMiB () else nan
                let mutable rssMid = nan
                for i in 1 .. memorySteps do
                    cancel.ThrowIfCancellationRequested()
                    r.Step (warmup + steps + i) |> ignore
                    if i = memorySteps / 2 then rssMid <- residentMiB ()
                let rssEnd = if memorySteps > 0 then residentMiB () else nan
                if memorySteps = 1 then rssMid <- rssStart
                r.Name, median (Seq.map fst times.[v]), median (times.[v] |> Seq.map (fun (t, a) -> a / t)), (rssStart, rssMid, rssEnd))
        runners |> List.iter (fun r -> r.Free ())
        results, peak

    /// The dense baseline as a user would write it: a plain MLP of the same widths (addmm and LeakyReLU), with
    /// Kaiming-uniform weights, on the same encoded input.
    let private plainMlp (b: Backend<T>) (s: Shape) =
        let widths = Array.concat [ [| Networks.inputWidth s.Model |]; s.Model.HiddenWidths; [| s.OutChannels |] ]
        let rng = Random(0)
        let layers = widths.Length - 1
        let ps =
            [ for i in 1 .. layers do
                let inW, outW = widths.[i - 1], widths.[i]
                yield $"w{i}", b.tensor (Init.kaimingUniform rng 0.2 inW (inW * outW)) [| inW; outW |]
                yield $"b{i}", b.fill 0.0 [| outW |] ] |> Map.ofList
        let forward (ps: Params<T>) (input: T) =
            [ 1 .. layers ] |> List.fold (fun (x: T) i ->
                let y = torch.addmm(ps.[$"b{i}"], x, ps.[$"w{i}"], 1.0f, 1.0f)
                if i < layers then b.leakyRelu s.Model.NegativeSlope y else y) input
        ps, forward

    /// GFLOP/s of a large float32 matrix product on the device, for scale.
    let matmulGFlops (device: string) (size: int) =
        use _ = torch.NewDisposeScope()
        let a = torch.randn(int64 size, int64 size, device = torch.device device)
        let c = a.matmul a
        c.sum().item<float32>() |> ignore
        let clock = Stopwatch.StartNew()
        let reps = 3
        for _ in 1 .. reps do (a.matmul a).sum().item<float32>() |> ignore
        2.0 * float size ** 3.0 * float reps / clock.Elapsed.TotalSeconds / 1e9

    /// Runs every variant on one shape; the naive loop only when `naive` (it is slow at full size). With `random`,
    /// every step draws new points (with replacement from a fixed pool of targets) and routes them, as random-batch
    /// training does; otherwise the points are fixed and their routing is made once (full-signal training).
    /// Ctrl-C or SIGTERM (`cancel`) stops it between steps.
    let run (device: string) (shape: Shape) (warmup: int) (steps: int) (naive: bool) (random: bool) (memorySteps: int) (cancel: System.Threading.CancellationToken) (report: Action<Row>) =
        let b = TorchBackend.create device false
        let rng = Random(0)
        let d = shape.Model.Tile.Length
        let n = shape.Coordinates
        let coords = Array.init (n * d) (fun _ -> rng.NextDouble())
        let fixedBatch = Batch.create b true d coords
        let target = b.tensor (Array.init (n * shape.OutChannels) (fun _ -> rng.NextDouble())) [| n; shape.OutChannels |]
        let batchAt (it: int) =
            if random then
                let r = Random(it)
                Batch.create b false d (Array.init (n * d) (fun _ -> r.NextDouble()))
            else fixedBatch
        let nearest = { shape.Model with Interpolation = Interpolation.Nearest }
        let nlinear = { shape.Model with Interpolation = Interpolation.NLinear }
        let dense = { nearest with Tile = Array.create d 1; Tiles = null }
        let flops = 3.0 * 2.0 * float (Networks.signal b dense shape.OutChannels).MultiplyAdds * float n
        let measure name (ps: Params<T>) (forward: Batch<T> -> Params<T> -> T) =
            runner b name (fun it ps -> Metrics.mse b (forward (batchAt it) ps) target) ps
        let network (model: ModelSpec) =
            let net = Networks.signal b model shape.OutChannels
            Component.init b net 0, (fun batch ps -> Component.forward net batch ps)
        // The same encoding component as the networks: derived once for the fixed batch, every step for random ones.
        let encoding = Encodings.positional b nearest.EncodingRange nearest.PeFrequencies
        let encoded (batch: Batch<T>) = Component.forward encoding batch Map.empty
        let variants =
            [ let ps, forward = plainMlp b shape
              yield measure "dense" ps (fun batch ps -> forward ps (encoded batch))
              yield network nearest ||> measure "loe-nearest"
              yield network nlinear ||> measure "loe-nlinear"
              if naive && not random then
                  let experts = nearest.Layout |> Array.mapi (fun i m ->
                      torch.tensor((Grid.route Interpolation.Nearest m (ModelSpec.tileOf nearest i) coords).Experts |> Array.map int64))
                  let ps, _ = network nearest
                  yield measure "masked-loop" ps (fun batch ps -> maskedForward b shape experts ps (encoded batch)) ]
        let results, peak = timeSideBySide cancel variants warmup steps memorySteps
        let dense = results |> List.head |> fun (_, s, _, _) -> s
        for name, seconds, adamShare, (rssStart, rssMid, rssEnd) in results do
            report.Invoke
                { Shape = shape.Name; Variant = name; Coordinates = n; MedianSeconds = seconds
                  RatioToDense = seconds / dense; GFlops = flops / seconds / 1e9; PeakMiB = peak
                  AdamShare = adamShare; RssStartMiB = rssStart; RssMidMiB = rssMid; RssEndMiB = rssEnd }
