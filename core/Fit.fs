namespace LoE.Core

open System
open System.Diagnostics
open System.Threading

/// Training stopped because the loss stopped being a finite number.
exception DivergedException of iteration: int * loss: float
    with override this.Message = $"loss became {this.loss} at iteration {this.iteration}: the run diverged"

/// Fitting a representation to a signal (an image, a video): the training loop, written once for any backend.
module Fit =
    /// One Adam step in its own scope: the loss before the step, and the new parameters and state (the old ones
    /// are freed, so a torch run's native memory stays flat).
    let step (b: Backend<'T>) (loss: 'T list -> 'T) (adam: Optim.Adam) (lr: float) (ps: 'T list) (state: Optim.AdamState<'T>) =
        let value, next, nextState =
            use _ = b.scope ()
            let value, grads = b.valueAndGrad loss ps
            let next, s = Optim.adamStep b adam lr state ps grads
            value, List.map b.keep next, { s with M = List.map b.keep s.M; V = List.map b.keep s.V }
        ps @ state.M @ state.V |> List.iter b.free
        value, next, nextState

    let ofImage (image: Image) : Signal =
        { Size = [| image.Width; image.Height |]; Channels = image.Channels; Values = image.Pixels }

    /// Frame `frame` of a signal as an image (the whole signal for an image).
    let frameOf (s: Signal) (frame: int) : Image =
        let w, h = s.Size.[0], s.Size.[1]
        let plane = w * h * s.Channels
        { Width = w; Height = h; Channels = s.Channels; Pixels = Array.sub s.Values (frame * plane) plane }

    /// The samples a network sees for some coordinates: the input mapping (CPU, float64), every layer's routing
    /// and the embedding's.
    type Inputs = { Count: int; Mapping: float[]; Routes: Routing[]; Embedding: Routing option }

    let inputs (model: ModelSpec) (coords: float[]) : Inputs =
        { Count = coords.Length / Model.dims model; Mapping = Model.encode model coords
          Routes = Model.routings model coords; Embedding = Model.embeddingRouting model coords }

    /// The network output for prepared inputs (the mapping becomes a tensor inside the caller's scope).
    let forwardInputs (b: Backend<'T>) (model: ModelSpec) (x: Inputs) (ps: Model.Params<'T>) : 'T =
        let input = b.tensor x.Mapping [| x.Count; Model.mappingWidth model |]
        Model.forwardWith b model x.Routes x.Embedding ps input

    /// A full-signal fitting problem on one backend: inputs, targets, the seeded initial parameters by name,
    /// and the loss as a function of the parameter list.
    type Problem<'T> =
        { Input: 'T
          Truth: 'T
          Routes: Routing[]
          Names: string list
          Initial: 'T list
          Loss: 'T list -> 'T
          Forward: 'T list -> 'T }

    let problemOf (b: Backend<'T>) (model: ModelSpec) (spec: TrainSpec) (target: Signal) : Problem<'T> =
        let x = inputs model (Grid.centres target.Size)
        let input = b.tensor x.Mapping [| x.Count; Model.mappingWidth model |]
        let truth = b.tensor (target.Values |> Array.map float) [| x.Count; target.Channels |]
        let initial = Model.init b model target.Channels spec.Seed |> Map.toList
        let names = initial |> List.map fst
        let forward (values: 'T list) = Model.forwardWith b model x.Routes x.Embedding (List.zip names values |> Map.ofList) input
        { Input = input; Truth = truth; Routes = x.Routes; Names = names; Initial = initial |> List.map snd
          Forward = forward; Loss = fun values -> Metrics.mse b (forward values) truth }

    let problem (b: Backend<'T>) (model: ModelSpec) (spec: TrainSpec) (target: Image) : Problem<'T> =
        problemOf b model spec (ofImage target)

    let adamOf (spec: TrainSpec) = { Optim.Beta1 = spec.Beta1; Optim.Beta2 = spec.Beta2; Optim.Epsilon = spec.Epsilon }

    /// SplitMix64's finaliser: a bijective mix of 64 bits, so consecutive counters give independent-looking words.
    let private mix (z: uint64) =
        let z = (z ^^^ (z >>> 30)) * 0xBF58476D1CE4E5B9UL
        let z = (z ^^^ (z >>> 27)) * 0x94D049BB133111EBUL
        z ^^^ (z >>> 31)

    /// The samples (flat indices into `total`, with replacement) of one iteration: a counter-based generator keyed
    /// by (seed, iteration) alone, so a resumed run draws exactly the pixels the uninterrupted run would have.
    let sampleIndices (seed: int) (iteration: int) (count: int) (total: int) : int[] =
        let key = mix (mix (uint64 (uint32 seed) + 0x9E3779B97F4A7C15UL) + uint64 (uint32 iteration))
        Array.init count (fun j -> int (mix (key + uint64 j * 0x9E3779B97F4A7C15UL) % uint64 total))

    /// The network's output at the sample centres of a grid of `size` samples, any size (the representation is
    /// continuous), computed in chunks of coordinates so that memory stays bounded at any resolution.
    let predict (b: Backend<'T>) (model: ModelSpec) (ps: Model.Params<'T>) (size: int[]) (channels: int) : float32[] =
        let total = Array.fold (*) 1 size
        let chunk = 1 <<< 16
        let out = Array.zeroCreate (total * channels)
        for start in 0 .. chunk .. total - 1 do
            use _ = b.scope ()
            let count = min chunk (total - start)
            let x = inputs model (Grid.centresOf size (Array.init count (fun j -> start + j)))
            let y = b.toArray (forwardInputs b model x ps)
            for i in 0 .. y.Length - 1 do out.[start * channels + i] <- float32 y.[i]
        out

    let private snapshot (b: Backend<'T>) names ps (state: Optim.AdamState<'T>) iteration history seconds =
        { Iteration = iteration; Names = Array.ofList names; Shapes = ps |> List.map b.shape |> Array.ofList
          Parameters = ps |> List.map b.toArray |> Array.ofList; AdamStep = state.Step
          AdamM = state.M |> List.map b.toArray |> Array.ofList; AdamV = state.V |> List.map b.toArray |> Array.ofList
          History = history; Seconds = seconds }

    /// Trains with Adam, step decay and the MSE loss: on the whole signal every iteration (section A) or on
    /// spec.BatchSize samples drawn at random per iteration (sections B, C). Resumes from hooks.Resume when given,
    /// hands a checkpoint to hooks.OnCheckpoint every hooks.CheckpointEvery iterations and after the last one,
    /// and measures PSNR and SSIM on the whole signal at the end.
    let trainSignal (b: Backend<'T>) (model: ModelSpec) (spec: TrainSpec) (target: Signal) (hooks: FitHooks) : FitResult =
        let total = Array.fold (*) 1 target.Size
        let full = spec.BatchSize <= 0
        let initialMap = Model.init b model target.Channels spec.Seed |> Map.toList
        let names = initialMap |> List.map fst
        let named (values: 'T list) = List.zip names values |> Map.ofList
        let fullProblem =
            if not full then None
            else
                let x = inputs model (Grid.centres target.Size)
                let input = b.tensor x.Mapping [| x.Count; Model.mappingWidth model |]
                let truth = b.tensor (target.Values |> Array.map float) [| x.Count; target.Channels |]
                Some(fun values -> Metrics.mse b (Model.forwardWith b model x.Routes x.Embedding (named values) input) truth)
        let lossAt (it: int) : 'T list -> 'T =
            match fullProblem with
            | Some loss -> loss
            | None ->
                let indices = sampleIndices spec.Seed it spec.BatchSize total
                let x = inputs model (Grid.centresOf target.Size indices)
                let c = target.Channels
                let truthData = Array.zeroCreate (indices.Length * c)
                for j in 0 .. indices.Length - 1 do
                    for k in 0 .. c - 1 do truthData.[j * c + k] <- float target.Values.[indices.[j] * c + k]
                // Tensors made inside the loss live in the step's scope and are freed with it.
                fun values -> Metrics.mse b (forwardInputs b model x (named values)) (b.tensor truthData [| x.Count; c |])
        let adam = adamOf spec
        let resume = Option.ofObj (box hooks.Resume) |> Option.map unbox<Checkpoint>
        let history = ResizeArray(resume |> Option.map (fun c -> c.History) |> Option.defaultValue [||])
        let initial = initialMap |> List.map snd
        let mutable ps, state, start, before =
            match resume with
            | None -> initial, Optim.adamInit b initial, 0, 0.0
            | Some c ->
                if List.ofArray c.Names <> names then invalidArg "hooks" "the checkpoint belongs to another model"
                initial |> List.iter b.free
                let load (values: float[][]) = Array.map2 b.tensor values c.Shapes |> List.ofArray
                load c.Parameters, { Step = c.AdamStep; M = load c.AdamM; V = load c.AdamV }, c.Iteration, c.Seconds
        let clock = Stopwatch.StartNew()
        let elapsed () = before + clock.Elapsed.TotalSeconds
        for it in start .. spec.Iterations - 1 do
            hooks.Cancel.ThrowIfCancellationRequested()
            let lr = Optim.stepDecay spec.LearningRate spec.LrDecayAt spec.LrDecayFactor it
            let value, next, nextState = step b (lossAt it) adam lr ps state
            ps <- next
            state <- nextState
            if not (Double.IsFinite value) then raise (DivergedException(it + 1, value))
            if (it + 1) % spec.LogEvery = 0 || it = spec.Iterations - 1 then
                let row = { Iteration = it + 1; Loss = value; PsnrDb = Metrics.psnr value; LearningRate = lr; Seconds = elapsed () }
                history.Add row
                hooks.OnProgress.Invoke row
            // The last checkpoint holds the trained parameters: what `loe render` reads.
            if hooks.CheckpointEvery > 0 && ((it + 1) % hooks.CheckpointEvery = 0 || it = spec.Iterations - 1) then
                hooks.OnCheckpoint.Invoke(snapshot b names ps state (it + 1) (history.ToArray()) (elapsed ()))
        let seconds = elapsed ()
        // Final metrics after the last update, on the whole signal, in chunks.
        let prediction = predict b model (named ps) target.Size target.Channels
        let mutable sq = 0.0
        for i in 0 .. prediction.Length - 1 do
            let d = float prediction.[i] - float target.Values.[i]
            sq <- sq + d * d
        let finalLoss = sq / float prediction.Length
        let output = { target with Values = prediction |> Array.map (fun v -> if Single.IsNaN v then 0f else Math.Clamp(v, 0f, 1f)) }
        let count = ps |> List.sumBy (b.shape >> Array.fold (fun n d -> n * int64 d) 1L)
        { PsnrDb = Metrics.psnr finalLoss
          Ssim = Metrics.ssim target.Size target.Channels output.Values target.Values
          FinalLoss = finalLoss
          Iterations = spec.Iterations
          TrainSeconds = seconds
          History = history.ToArray()
          Reconstruction = frameOf output 0
          Output = output
          ParameterCount = count
          ParameterBytes = 4L * count }

    /// Trains on the full image every iteration unless spec.BatchSize says otherwise (see trainSignal).
    let train (b: Backend<'T>) (model: ModelSpec) (spec: TrainSpec) (target: Image) (hooks: FitHooks) : FitResult =
        trainSignal b model spec (ofImage target) hooks

    let private withBackend (backend: BackendSpec) (torchRun: Backend<TorchBackend.T> -> 'R) (referenceRun: Backend<Reference.Tensor> -> 'R) : 'R =
        match backend.Name with
        | "torch" ->
            if backend.Threads > 0 then TorchSharp.torch.set_num_threads backend.Threads
            torchRun (TorchBackend.create backend.Device backend.Float64)
        | "reference" -> referenceRun (ReferenceBackend.create ())
        | other -> invalidArg "backend" $"unknown backend '{other}' (known: torch, reference)"

    /// Trains one model on one signal with the backend named in `backend` (C# entry point).
    let runSignalWith (backend: BackendSpec) (model: ModelSpec) (spec: TrainSpec) (target: Signal) (hooks: FitHooks) : FitResult =
        withBackend backend (fun b -> trainSignal b model spec target hooks) (fun b -> trainSignal b model spec target hooks)

    /// Trains one model on one image with the backend named in `backend` (C# entry point).
    let runWith (backend: BackendSpec) (model: ModelSpec) (spec: TrainSpec) (target: Image) (hooks: FitHooks) : FitResult =
        runSignalWith backend model spec (ofImage target) hooks

    /// Renders trained parameters (a checkpoint's) at the sample centres of any grid size: the representation is
    /// continuous, so a 64×64 fit can be drawn at 1024×1024.
    let renderWith (backend: BackendSpec) (model: ModelSpec) (trained: Checkpoint) (size: int[]) (channels: int) : Signal =
        let render (b: Backend<'T>) =
            let ps = Array.map2 b.tensor trained.Parameters trained.Shapes |> Array.zip trained.Names |> Map.ofArray
            let values = predict b model ps size channels
            { Size = size; Channels = channels; Values = values |> Array.map (fun v -> if Single.IsNaN v then 0f else Math.Clamp(v, 0f, 1f)) }
        withBackend backend render render

    /// Hooks that only report progress: no checkpoints, no resume.
    let progressOnly (onProgress: Progress -> unit) (cancel: CancellationToken) =
        { OnProgress = Action<_> onProgress; CheckpointEvery = 0; OnCheckpoint = Action<_> ignore
          Resume = Unchecked.defaultof<_>; Cancel = cancel }

    /// Trains with progress reports only: no checkpoints, no resume.
    let run (backend: BackendSpec) (model: ModelSpec) (spec: TrainSpec) (target: Image)
            (onProgress: Action<Progress>) (cancel: CancellationToken) : FitResult =
        runWith backend model spec target (progressOnly onProgress.Invoke cancel)
