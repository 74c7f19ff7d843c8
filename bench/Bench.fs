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
          /// Peak resident memory of the process during this variant's steps (MiB).
          PeakMiB: float }

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

    /// Median seconds of `steps` full training steps after `warmup` steps, and the peak memory meanwhile.
    let private timeSteps (b: Backend<T>) (forward: Params<T> -> T) (target: T) (initial: Params<T>) warmup steps =
        let names = initial |> Map.toList |> List.map fst
        let loss (values: T list) = Metrics.mse b (forward (List.zip names values |> Map.ofList)) target
        let adam = { Optim.Beta1 = 0.9; Optim.Beta2 = 0.999; Optim.Epsilon = 1e-8 }
        let ps = ref (initial |> Map.toList |> List.map snd)
        let state = ref (Optim.adamInit b ps.Value)
        let times, peak = sampledPeak (fun () ->
            [| for i in 1 .. warmup + steps do
                let clock = Stopwatch.StartNew()
                let _, next, nextState = Loop.step b loss adam 1e-3 ps.Value state.Value
                ps.Value <- next
                state.Value <- nextState
                if i > warmup then clock.Elapsed.TotalSeconds |])
        ps.Value @ state.Value.M @ state.Value.V |> List.iter b.free
        Array.sort times
        times.[times.Length / 2], peak

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

    /// Runs every variant on one shape; the naive loop only when `naive` (it is slow at full size).
    let run (device: string) (shape: Shape) (warmup: int) (steps: int) (naive: bool) (report: Action<Row>) =
        let b = TorchBackend.create device false
        let rng = Random(0)
        let d = shape.Model.Tile.Length
        let coords = Array.init (shape.Coordinates * d) (fun _ -> rng.NextDouble())
        let n = shape.Coordinates
        let batch = Batch.create b true d coords
        let target = b.tensor (Array.init (n * shape.OutChannels) (fun _ -> rng.NextDouble())) [| n; shape.OutChannels |]
        let nearest = { shape.Model with Interpolation = Interpolation.Nearest }
        let nlinear = { shape.Model with Interpolation = Interpolation.NLinear }
        // 1×1 tiles make every layer a plain linear layer (one matmul), the dense MLP of the same shape.
        let dense = { nearest with Tile = Array.create d 1; Tiles = null }
        let flops = 3.0 * 2.0 * float (Networks.signal b dense shape.OutChannels).MultiplyAdds * float n
        let measure name (model: ModelSpec) (forward: Component<T> -> Params<T> -> T) =
            let network = Networks.signal b model shape.OutChannels
            let ps = Component.init b network 0
            let seconds, peak = timeSteps b (forward network) target ps warmup steps
            (name, seconds, peak)
        let layered network ps = Component.forward network batch ps
        let variants =
            [ yield measure "dense" dense layered
              yield measure "loe-nearest" nearest layered
              yield measure "loe-nlinear" nlinear layered
              if naive then
                  let experts = nearest.Layout |> Array.mapi (fun i m ->
                      torch.tensor((Grid.route Interpolation.Nearest m (ModelSpec.tileOf nearest i) coords).Experts |> Array.map int64))
                  let input = b.positional nearest.PeFrequencies batch.Points
                  yield measure "masked-loop" nearest (fun _ ps -> maskedForward b shape experts ps input) ]
        let dense = variants |> List.head |> fun (_, s, _) -> s
        for name, seconds, peak in variants do
            report.Invoke
                { Shape = shape.Name; Variant = name; Coordinates = n; MedianSeconds = seconds
                  RatioToDense = seconds / dense; GFlops = flops / seconds / 1e9; PeakMiB = peak }
