namespace LoE.Core

open System
open System.Diagnostics
open System.Threading

/// Fitting a representation to an image: the training loop, written once for any backend.
module Fit =
    /// The reconstruction as an image, clamped to [0, 1].
    let private toImage (target: Image) (values: float[]) =
        { target with Pixels = values |> Array.map (fun v -> float32 (Math.Clamp(v, 0.0, 1.0))) }

    /// Trains on the full image every iteration (section A): Adam with step decay, MSE loss.
    let train (b: Backend<'T>) (model: ModelSpec) (spec: TrainSpec) (target: Image)
              (onProgress: Progress -> unit) (cancel: CancellationToken) : FitResult =
        let coords = Grid.pixelCentres target.Width target.Height
        let n = target.Width * target.Height
        let input = b.tensor (Encoding.positional (Model.dims model) model.PeFrequencies coords) [| n; Model.inputWidth model |]
        let truth = b.tensor (target.Pixels |> Array.map float) [| n; target.Channels |]
        let routes = Model.routings model coords
        let initial = Model.init b model target.Channels spec.Seed
        let names = initial |> Map.toList |> List.map fst
        let asParams (values: 'T list) = List.zip names values |> Map.ofList
        let loss (values: 'T list) = Metrics.mse b (Model.forward b model routes (asParams values) input) truth
        let adam = { Optim.Beta1 = spec.Beta1; Optim.Beta2 = spec.Beta2; Optim.Epsilon = spec.Epsilon }
        let clock = Stopwatch.StartNew()
        let history = ResizeArray()
        let mutable ps = initial |> Map.toList |> List.map snd
        let mutable state = Optim.adamInit b ps
        for it in 0 .. spec.Iterations - 1 do
            cancel.ThrowIfCancellationRequested()
            let lr = Optim.stepDecay spec.LearningRate spec.LrDecayAt spec.LrDecayFactor it
            let value, next, nextState =
                use _ = b.scope ()
                let value, grads = b.valueAndGrad loss ps
                let next, nextState = Optim.adamStep b adam lr state ps grads
                value, List.map b.keep next, { nextState with M = List.map b.keep nextState.M; V = List.map b.keep nextState.V }
            ps @ state.M @ state.V |> List.iter b.free
            ps <- next
            state <- nextState
            if not (Double.IsFinite value) then
                failwith $"loss became {value} at iteration {it + 1}"
            if (it + 1) % spec.LogEvery = 0 || it = spec.Iterations - 1 then
                let row = { Iteration = it + 1; Loss = value; PsnrDb = Metrics.psnr value; LearningRate = lr
                            Seconds = clock.Elapsed.TotalSeconds }
                history.Add row
                onProgress row
        let seconds = clock.Elapsed.TotalSeconds
        // Final metrics after the last update, on the whole image.
        use _ = b.scope ()
        let prediction = Model.forward b model routes (asParams ps) input
        let finalLoss = Metrics.mse b prediction truth |> Backend.scalar b
        { PsnrDb = Metrics.psnr finalLoss
          FinalLoss = finalLoss
          Iterations = spec.Iterations
          TrainSeconds = seconds
          History = history.ToArray()
          Reconstruction = toImage target (b.toArray prediction)
          ParameterCount = Model.parameterCount b (asParams ps) }

    /// Trains one model on one image with the backend named in `backend` (C# entry point).
    let run (backend: BackendSpec) (model: ModelSpec) (spec: TrainSpec) (target: Image)
            (onProgress: Action<Progress>) (cancel: CancellationToken) : FitResult =
        match backend.Name with
        | "torch" ->
            if backend.Threads > 0 then TorchSharp.torch.set_num_threads backend.Threads
            train (TorchBackend.create backend.Device backend.Float64) model spec target onProgress.Invoke cancel
        | other -> invalidArg "backend" $"unknown backend '{other}' (known: torch)"
