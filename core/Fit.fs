namespace LoE.Core

open System

/// Fitting a representation to a signal (an image, a video): the signal-fitting objective, trained by the one
/// loop, and what is measured and rendered from it.
module Fit =
    let ofImage (image: Image) : Signal =
        { Size = [| image.Width; image.Height |]; Channels = image.Channels; Values = image.Pixels }

    /// Frame `frame` of a signal as an image (the whole signal for an image; a 1-D signal as a one-pixel-high strip).
    let frameOf (s: Signal) (frame: int) : Image =
        let w, h = s.Size.[0], (if s.Size.Length > 1 then s.Size.[1] else 1)
        let plane = w * h * s.Channels
        { Width = w; Height = h; Channels = s.Channels; Pixels = Array.sub s.Values (frame * plane) plane }


    /// The learning rate at a 0-based iteration: step decay (section A's schedule).
    let learningRate (spec: TrainSpec) (iteration: int) =
        Optim.stepDecay spec.LearningRate spec.LrDecayAt spec.LrDecayFactor iteration

    /// SplitMix64's finaliser: a bijective mix of 64 bits, so consecutive counters give independent-looking words.
    let private mix (z: uint64) =
        let z = (z ^^^ (z >>> 30)) * 0xBF58476D1CE4E5B9UL
        let z = (z ^^^ (z >>> 27)) * 0x94D049BB133111EBUL
        z ^^^ (z >>> 31)

    /// The samples (flat indices into `total`, with replacement) of one iteration: a counter-based generator keyed
    /// by (seed, iteration) alone, so a resumed run draws exactly the samples the uninterrupted run would have.
    let sampleIndices (seed: int) (iteration: int) (count: int) (total: int) : int[] =
        let key = mix (mix (uint64 (uint32 seed) + 0x9E3779B97F4A7C15UL) + uint64 (uint32 iteration))
        Array.init count (fun j -> int (mix (key + uint64 j * 0x9E3779B97F4A7C15UL) % uint64 total))

    /// A signal-fitting problem on one backend: the network, its seeded initial parameters and the MSE
    /// objective, on the whole signal every iteration (section A) or on spec.BatchSize samples drawn from
    /// (seed, iteration) (sections B, C). The target lives on the device; a random batch sends its indices and
    /// coordinates there, and nothing comes back but the loss.
    type Problem<'T> = { Network: Component<'T>; Names: string list; Objective: Objective<'T> }

    let problem (b: Backend<'T>) (model: ModelSpec) (spec: TrainSpec) (target: Signal) : Problem<'T> =
        let network = Networks.signal b model target.Channels
        let initial = Component.init b network spec.Seed |> Map.toList
        let names = initial |> List.map fst
        let total = Array.fold (*) 1 target.Size
        let dims = target.Size.Length
        let truth = b.tensor (target.Values |> Array.map float) [| total; target.Channels |]
        let whole = if spec.BatchSize <= 0 then Some(Batch.create b true dims (Grid.centres target.Size)) else None
        let loss (it: int) (values: 'T list) =
            let ps = List.zip names values |> Map.ofList
            match whole with
            | Some batch -> Metrics.mse b (Component.forward network batch ps) truth
            | None ->
                let indices = sampleIndices spec.Seed it spec.BatchSize total
                let batch = Batch.create b false dims (Grid.centresOf target.Size indices)
                Metrics.mse b (Component.forward network batch ps) (b.gatherRows truth (b.indices indices [| indices.Length |]))
        { Network = network; Names = names
          Objective =
            { Groups = [ { Names = names; Initial = initial |> List.map snd; Adam = spec.Adam; LearningRate = learningRate spec; Average = None } ]
              Loss = fun _ it groups -> loss it (List.head groups)
              PsnrOfLoss = Metrics.psnr; TestEvery = 0; TestPsnr = fun _ -> nan } }

    /// The network's output at the sample centres of a grid of `size` samples, any size (the representation is
    /// continuous), computed in chunks of points so that memory stays bounded at any resolution.
    let predict (b: Backend<'T>) (network: Component<'T>) (ps: Params<'T>) (size: int[]) (channels: int) : float32[] =
        let total = Array.fold (*) 1 size
        let chunk = 1 <<< 16
        let out = Array.zeroCreate (total * channels)
        for start in 0 .. chunk .. total - 1 do
            use _ = b.scope ()
            let count = min chunk (total - start)
            let batch = Batch.create b false size.Length (Grid.centresOf size (Array.init count (fun j -> start + j)))
            let y = b.toArray (Component.forward network batch ps)
            for i in 0 .. y.Length - 1 do out.[start * channels + i] <- float32 y.[i]
        out

    let private clamped (values: float32[]) = values |> Array.map (fun v -> if Single.IsNaN v then 0f else Math.Clamp(v, 0f, 1f))

    /// Trains with Adam, step decay and the MSE loss, and measures PSNR and SSIM on the whole signal at the end.
    let trainSignal (b: Backend<'T>) (model: ModelSpec) (spec: TrainSpec) (target: Signal) (hooks: FitHooks) : FitResult =
        let p = problem b model spec target
        let trained = Loop.run b p.Objective { Iterations = spec.Iterations; LogEvery = spec.LogEvery } hooks
        let ps = List.zip p.Names (List.head trained.Parameters) |> Map.ofList
        // Final metrics after the last update, on the whole signal, in chunks, of the output clamped to [0, 1] as
        // it is saved (what the standard tools measure): PSNR and SSIM see the same image.
        let output = { target with Values = clamped (predict b p.Network ps target.Size target.Channels) }
        let mutable sq = 0.0
        for i in 0 .. output.Values.Length - 1 do
            let d = float output.Values.[i] - float target.Values.[i]
            sq <- sq + d * d
        let finalLoss = sq / float output.Values.Length
        let count = Component.parameterCount p.Network
        { PsnrDb = Metrics.psnr finalLoss
          Ssim = Metrics.ssim target.Size target.Channels output.Values target.Values
          FinalLoss = finalLoss
          Iterations = spec.Iterations
          TrainSeconds = trained.Seconds
          History = trained.History
          Reconstruction = frameOf output 0
          Output = output
          ParameterCount = count
          ParameterBytes = 4L * count
          MultiplyAdds = p.Network.MultiplyAdds }

    /// Trains one model on one signal with the backend `backend` names (the host's entry point).
    let runSignalWith (backend: BackendSpec) (model: ModelSpec) (spec: TrainSpec) (target: Signal) (hooks: FitHooks) : FitResult =
        Backends.using backend { new IBackendUser<FitResult> with member _.Use b = trainSignal b model spec target hooks }

    /// Renders trained parameters (a checkpoint's) at the sample centres of any grid size: the representation is
    /// continuous, so a 64×64 fit can be drawn at 1024×1024.
    let renderWith (backend: BackendSpec) (model: ModelSpec) (trained: Checkpoint) (size: int[]) (channels: int) : Signal =
        Backends.using backend
            { new IBackendUser<Signal> with
                member _.Use b =
                    let ps = Array.map2 b.tensor trained.Parameters trained.Shapes |> Array.zip trained.Names |> Map.ofArray
                    let values = predict b (Networks.signal b model channels) ps size channels
                    { Size = size; Channels = channels; Values = clamped values } }

    /// Hooks that only report progress: no checkpoints, no resume.
    let progressOnly (onProgress: Progress -> unit) (cancel: Threading.CancellationToken) =
        { OnProgress = Action<_> onProgress; CheckpointEvery = 0; OnCheckpoint = Action<_> ignore
          Resume = Unchecked.defaultof<_>; Cancel = cancel }
