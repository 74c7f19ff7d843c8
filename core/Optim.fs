namespace LoE.Core

/// Optimisers and learning-rate schedules as pure functions of their state.
module Optim =
    type AdamState<'T> = { Step: int; M: 'T list; V: 'T list }

    /// Zero moments: tensors of their own, which the updates then change in place.
    let adamInit (b: Backend<'T>) (ps: 'T list) : AdamState<'T> =
        let zeros (p: 'T) = b.fill 0.0 (b.shape p)
        { Step = 0; M = ps |> List.map zeros; V = ps |> List.map zeros }

    /// One Adam update (Kingma & Ba, with bias correction, as torch.optim.Adam), in place: the same parameter
    /// and moment tensors, updated, and the next step count.
    let adamStep (b: Backend<'T>) (cfg: Adam) (lr: float) (s: AdamState<'T>) (ps: 'T list) (grads: 'T list) =
        let t = s.Step + 1
        let update =
            { Beta1 = cfg.Beta1; Beta2 = cfg.Beta2; Epsilon = cfg.Epsilon
              StepSize = lr / (1.0 - cfg.Beta1 ** float t); Correction2Sqrt = sqrt (1.0 - cfg.Beta2 ** float t) }
        List.iteri2 (fun i p g -> b.adamInPlace update p g s.M.[i] s.V.[i]) ps grads
        ps, { s with Step = t }

    /// Step decay: the base rate times `factor` for every milestone already passed (0-based iteration).
    let stepDecay (baseLr: float) (milestones: int[]) (factor: float) (iteration: int) =
        let passed = milestones |> Array.filter (fun m -> iteration >= m) |> Array.length
        baseLr * factor ** float passed
