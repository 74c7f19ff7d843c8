namespace LoE.Core

open System
open System.Diagnostics

/// Training stopped because the loss stopped being a finite number.
exception DivergedException of iteration: int * loss: float
    with override this.Message = $"loss became {this.loss} at iteration {this.iteration}: the run diverged"

/// The one training loop: iterations, learning-rate schedules, one Adam per parameter group, checkpoints,
/// resume, cancellation, NaN detection and progress, for any objective on any backend.
module Loop =
    /// One Adam step in its own scope: the loss before the step, and the parameters and state, updated in place
    /// (whatever the step made, gradients included, is freed with its scope, so a torch run's memory stays flat).
    let step (b: Backend<'T>) (loss: 'T list -> 'T) (adam: Adam) (lr: float) (ps: 'T list) (state: Optim.AdamState<'T>) =
        use _ = b.scope ()
        let value, grads = b.valueAndGrad loss ps
        let next, nextState = Optim.adamStep b adam lr state ps grads
        value, next, nextState

    let private snapshot (b: Backend<'T>) (names: string list) (ps: 'T list list) (states: Optim.AdamState<'T> list) iteration history seconds =
        let arrays (ts: 'T list) = ts |> List.map b.toArray |> Array.ofList
        let all = List.concat ps
        { Iteration = iteration; Names = Array.ofList names; Shapes = all |> List.map b.shape |> Array.ofList
          Parameters = arrays all
          // Every group steps once per iteration, so one step count serves them all.
          AdamStep = (List.head states).Step
          AdamM = states |> List.collect (fun s -> s.M) |> arrays
          AdamV = states |> List.collect (fun s -> s.V) |> arrays
          History = history; Seconds = seconds }

    /// Splits a flat list into groups of the given sizes.
    let private regroup (sizes: int list) (flat: 'a list) : 'a list list =
        let rec go sizes (rest: 'a list) =
            match sizes with
            | [] -> []
            | n :: more -> List.take n rest :: go more (List.skip n rest)
        go sizes flat

    /// Trains `objective` for settings.Iterations iterations, each group stepping once per iteration in group
    /// order. Resumes from hooks.Resume when given, hands a checkpoint to hooks.OnCheckpoint every
    /// hooks.CheckpointEvery iterations and after the last one, and reports group 0's loss every LogEvery and at
    /// every objective.TestEvery-th iteration, where it also measures the held-out PSNR (outside the training clock).
    let run (b: Backend<'T>) (objective: Objective<'T>) (settings: LoopSettings) (hooks: FitHooks) : Trained<'T> =
        let groups = objective.Groups
        let names = groups |> List.collect (fun g -> g.Names)
        let sizes = groups |> List.map (fun g -> g.Names.Length)
        let resume = Option.ofObj (box hooks.Resume) |> Option.map unbox<Checkpoint>
        let history = ResizeArray(resume |> Option.map (fun c -> c.History) |> Option.defaultValue [||])
        let mutable ps, states, start, before =
            let initial = groups |> List.map (fun g -> g.Initial)
            match resume with
            | None -> initial, initial |> List.map (Optim.adamInit b), 0, 0.0
            | Some c ->
                if List.ofArray c.Names <> names then invalidArg "hooks" "the checkpoint belongs to another model"
                initial |> List.concat |> List.iter b.free
                let load (values: float[][]) = Array.map2 b.tensor values c.Shapes |> List.ofArray |> regroup sizes
                load c.Parameters,
                List.map2 (fun m v -> { Optim.Step = c.AdamStep; Optim.M = m; Optim.V = v }) (load c.AdamM) (load c.AdamV),
                c.Iteration, c.Seconds
        let clock = Stopwatch.StartNew()
        let elapsed () = before + clock.Elapsed.TotalSeconds
        for it in start .. settings.Iterations - 1 do
            hooks.Cancel.ThrowIfCancellationRequested()
            let mutable reported = nan
            for g, group in List.indexed groups do
                if group.Average.IsNone then
                    let lr = group.LearningRate it
                    let loss (values: 'T list) = objective.Loss g it (ps |> List.mapi (fun k p -> if k = g then values else p))
                    let value, next, nextState = step b loss group.Adam lr ps.[g] states.[g]
                    ps <- ps |> List.mapi (fun k p -> if k = g then next else p)
                    states <- states |> List.mapi (fun k s -> if k = g then nextState else s)
                    if not (Double.IsFinite value) then raise (DivergedException(it + 1, value))
                    if g = 0 then reported <- value
            // Averages move after every trained group has stepped, in place (outside differentiation).
            for g, group in List.indexed groups do
                match group.Average with
                | Some a ->
                    use _ = b.scope ()
                    List.iter2 (fun avg p -> b.assign avg (b.add (b.scale a.Decay avg) (b.scale (1.0 - a.Decay) p))) ps.[g] ps.[a.Of]
                | None -> ()
            let testing = objective.TestEvery > 0 && (it + 1) % objective.TestEvery = 0
            if (it + 1) % settings.LogEvery = 0 || it = settings.Iterations - 1 || testing then
                let seconds = elapsed ()
                let test =
                    if not testing then nan
                    else
                        clock.Stop()
                        let value = (use _ = b.scope () in objective.TestPsnr ps)
                        clock.Start()
                        value
                let row = { Iteration = it + 1; Loss = reported; PsnrDb = objective.PsnrOfLoss reported
                            LearningRate = (List.head groups).LearningRate it; Seconds = seconds; TestPsnrDb = test }
                history.Add row
                hooks.OnProgress.Invoke row
            // The last checkpoint holds the trained parameters: what `loe render` reads.
            if hooks.CheckpointEvery > 0 && ((it + 1) % hooks.CheckpointEvery = 0 || it = settings.Iterations - 1) then
                hooks.OnCheckpoint.Invoke(snapshot b names ps states (it + 1) (history.ToArray()) (elapsed ()))
        { Parameters = ps; History = history.ToArray(); Seconds = elapsed () }
