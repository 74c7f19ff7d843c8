namespace LoE.Core

open System
open System.Diagnostics
open System.Threading

/// Training stopped because the loss stopped being a finite number.
exception DivergedException of iteration: int * loss: float
    with override this.Message = $"loss became {this.loss} at iteration {this.iteration}: the run diverged"

/// Fitting a representation to an image: the training loop, written once for any backend.
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

    /// A full-image fitting problem on one backend: encoded inputs, targets, routing, the seeded initial
    /// parameters by name, and the loss as a function of the parameter list.
    type Problem<'T> =
        { Input: 'T
          Truth: 'T
          Routes: Routing[]
          Names: string list
          Initial: 'T list
          Loss: 'T list -> 'T
          Forward: 'T list -> 'T }

    let problem (b: Backend<'T>) (model: ModelSpec) (spec: TrainSpec) (target: Image) : Problem<'T> =
        let coords = Grid.pixelCentres target.Width target.Height
        let n = target.Width * target.Height
        let input = b.tensor (Encoding.positional (Model.dims model) model.PeFrequencies coords) [| n; Model.inputWidth model |]
        let truth = b.tensor (target.Pixels |> Array.map float) [| n; target.Channels |]
        let routes = Model.routings model coords
        let initial = Model.init b model target.Channels spec.Seed |> Map.toList
        let names = initial |> List.map fst
        let forward (values: 'T list) = Model.forward b model routes (List.zip names values |> Map.ofList) input
        { Input = input; Truth = truth; Routes = routes; Names = names; Initial = initial |> List.map snd
          Forward = forward; Loss = fun values -> Metrics.mse b (forward values) truth }

    let adamOf (spec: TrainSpec) = { Optim.Beta1 = spec.Beta1; Optim.Beta2 = spec.Beta2; Optim.Epsilon = spec.Epsilon }

    /// The reconstruction as an image, clamped to [0, 1].
    let private toImage (target: Image) (values: float[]) =
        { target with Pixels = values |> Array.map (fun v -> float32 (Math.Clamp(v, 0.0, 1.0))) }

    let private snapshot (b: Backend<'T>) names ps (state: Optim.AdamState<'T>) iteration history seconds =
        { Iteration = iteration; Names = Array.ofList names; Shapes = ps |> List.map b.shape |> Array.ofList
          Parameters = ps |> List.map b.toArray |> Array.ofList; AdamStep = state.Step
          AdamM = state.M |> List.map b.toArray |> Array.ofList; AdamV = state.V |> List.map b.toArray |> Array.ofList
          History = history; Seconds = seconds }

    /// Trains on the full image every iteration (section A): Adam with step decay, MSE loss. Resumes from
    /// hooks.Resume when given, and hands a checkpoint to hooks.OnCheckpoint every hooks.CheckpointEvery iterations.
    let train (b: Backend<'T>) (model: ModelSpec) (spec: TrainSpec) (target: Image) (hooks: FitHooks) : FitResult =
        let p = problem b model spec target
        let names = p.Names
        let adam = adamOf spec
        let resume = Option.ofObj (box hooks.Resume) |> Option.map unbox<Checkpoint>
        let history = ResizeArray(resume |> Option.map (fun c -> c.History) |> Option.defaultValue [||])
        let mutable ps, state, start, before =
            match resume with
            | None -> p.Initial, Optim.adamInit b p.Initial, 0, 0.0
            | Some c ->
                if List.ofArray c.Names <> names then invalidArg "hooks" "the checkpoint belongs to another model"
                p.Initial |> List.iter b.free
                let load (values: float[][]) = Array.map2 b.tensor values c.Shapes |> List.ofArray
                load c.Parameters, { Step = c.AdamStep; M = load c.AdamM; V = load c.AdamV }, c.Iteration, c.Seconds
        let clock = Stopwatch.StartNew()
        let elapsed () = before + clock.Elapsed.TotalSeconds
        for it in start .. spec.Iterations - 1 do
            hooks.Cancel.ThrowIfCancellationRequested()
            let lr = Optim.stepDecay spec.LearningRate spec.LrDecayAt spec.LrDecayFactor it
            let value, next, nextState = step b p.Loss adam lr ps state
            ps <- next
            state <- nextState
            if not (Double.IsFinite value) then raise (DivergedException(it + 1, value))
            if (it + 1) % spec.LogEvery = 0 || it = spec.Iterations - 1 then
                let row = { Iteration = it + 1; Loss = value; PsnrDb = Metrics.psnr value; LearningRate = lr; Seconds = elapsed () }
                history.Add row
                hooks.OnProgress.Invoke row
            if hooks.CheckpointEvery > 0 && (it + 1) % hooks.CheckpointEvery = 0 && it < spec.Iterations - 1 then
                hooks.OnCheckpoint.Invoke(snapshot b names ps state (it + 1) (history.ToArray()) (elapsed ()))
        let seconds = elapsed ()
        // Final metrics after the last update, on the whole image.
        use _ = b.scope ()
        let prediction = p.Forward ps
        let finalLoss = Metrics.mse b prediction p.Truth |> Backend.scalar b
        { PsnrDb = Metrics.psnr finalLoss
          FinalLoss = finalLoss
          Iterations = spec.Iterations
          TrainSeconds = seconds
          History = history.ToArray()
          Reconstruction = toImage target (b.toArray prediction)
          ParameterCount = ps |> List.sumBy (b.shape >> Array.fold (fun n d -> n * int64 d) 1L) }

    /// Trains one model on one image with the backend named in `backend` (C# entry point).
    let runWith (backend: BackendSpec) (model: ModelSpec) (spec: TrainSpec) (target: Image) (hooks: FitHooks) : FitResult =
        match backend.Name with
        | "torch" ->
            if backend.Threads > 0 then TorchSharp.torch.set_num_threads backend.Threads
            train (TorchBackend.create backend.Device backend.Float64) model spec target hooks
        | "reference" -> train (ReferenceBackend.create ()) model spec target hooks
        | other -> invalidArg "backend" $"unknown backend '{other}' (known: torch, reference)"

    /// Hooks that only report progress: no checkpoints, no resume.
    let progressOnly (onProgress: Progress -> unit) (cancel: CancellationToken) =
        { OnProgress = Action<_> onProgress; CheckpointEvery = 0; OnCheckpoint = Action<_> ignore
          Resume = Unchecked.defaultof<_>; Cancel = cancel }

    /// Trains with progress reports only: no checkpoints, no resume.
    let run (backend: BackendSpec) (model: ModelSpec) (spec: TrainSpec) (target: Image)
            (onProgress: Action<Progress>) (cancel: CancellationToken) : FitResult =
        runWith backend model spec target (progressOnly onProgress.Invoke cancel)
