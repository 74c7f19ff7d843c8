namespace LoE.Core

/// How far torch (float64, CPU) and the reference backend drift apart on one configuration.
type StepLosses = { Step: int; Torch: float; Reference: float; RelativeDifference: float }

/// One parameter tensor's largest element difference between the backends, relative to the tensor's largest
/// magnitude on torch (an infinity-norm relative error, so entries near zero do not blow it up).
type ParameterDifference = { Name: string; Shape: int[]; FirstGradient: float; AfterSteps: float }

type ComparisonReport = { Steps: StepLosses[]; Parameters: ParameterDifference[] }

/// Runs the same training steps on torch in float64 and on the reference backend and reports where they part.
/// For a user debugging a new layer or op: the reference backend is simple enough to trust, so a gradient
/// that differs already at step 1 points at the torch implementation (or the op's derivative rule), while
/// differences that only grow over the steps point at conditioning. Agreement is to rounding: relative
/// differences near 1e-12 and below are noise. The host exposes it as `loe compare`.
module Compare =
    type private Run = { Losses: float[]; FirstGradients: float[] list; Final: float[] list; Names: string list; Shapes: int[] list }

    /// `steps` training steps as the training loop takes them (same data, routing, initialisation from the
    /// seed, Adam and schedule), keeping what the loop does not return: first gradients and final parameters.
    let private run (b: Backend<'T>) (model: ModelSpec) (spec: TrainSpec) (target: Signal) (steps: int) : Run =
        let p = Fit.problem b model spec target
        let group = List.head p.Objective.Groups
        let loss it values = p.Objective.Loss 0 it [ values ]
        let first = b.valueAndGrad (loss 0) group.Initial |> snd |> List.map b.toArray
        let losses, final, _ =
            Seq.init steps id |> Seq.fold (fun (losses, ps, state) it ->
                let value, next, nextState = Loop.step b (loss it) group.Adam (group.LearningRate it) ps state
                value :: losses, next, nextState) ([], group.Initial, Optim.adamInit b group.Initial)
        { Losses = losses |> List.rev |> Array.ofList; FirstGradients = first; Final = final |> List.map b.toArray
          Names = p.Names; Shapes = final |> List.map b.shape }

    /// max |r - t| / max |t| over a tensor (0 for two empty or all-zero tensors).
    let relativeDifference (reference: float[]) (torch: float[]) =
        if reference.Length = 0 then 0.0
        else
            let scale = torch |> Array.map abs |> Array.max
            let diff = Array.map2 (fun r t -> abs (r - t)) reference torch |> Array.max
            if diff = 0.0 then 0.0 else diff / (if scale > 0.0 then scale else 1.0)

    /// Runs `steps` training steps of the configuration on torch-cpu-f64 and on the reference backend.
    let backends (model: ModelSpec) (spec: TrainSpec) (target: Signal) (steps: int) : ComparisonReport =
        let on backend = Backends.using backend { new IBackendUser<Run> with member _.Use b = run b model spec target steps }
        let torch = on Backends.torchCpu64
        let reference = on Backends.reference
        { Steps =
            Array.init steps (fun i ->
                let t, r = torch.Losses.[i], reference.Losses.[i]
                { Step = i + 1; Torch = t; Reference = r; RelativeDifference = relativeDifference [| r |] [| t |] })
          Parameters =
            List.zip3 torch.Names torch.Shapes (List.zip3 reference.FirstGradients torch.FirstGradients (List.zip reference.Final torch.Final))
            |> List.map (fun (name, shape, (rg, tg, (rp, tp))) ->
                { Name = name; Shape = shape
                  FirstGradient = relativeDifference rg tg
                  AfterSteps = relativeDifference rp tp })
            |> Array.ofList }
