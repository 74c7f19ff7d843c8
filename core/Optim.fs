namespace LoE.Core

/// Optimisers and learning-rate schedules as pure functions of their state.
module Optim =
    type Adam = { Beta1: float; Beta2: float; Epsilon: float }
    type AdamState<'T> = { Step: int; M: 'T list; V: 'T list }

    let adamInit (b: Backend<'T>) (ps: 'T list) : AdamState<'T> =
        { Step = 0; M = ps |> List.map (b.scale 0.0); V = ps |> List.map (b.scale 0.0) }

    /// One Adam update (Kingma & Ba, with bias correction, as torch.optim.Adam): new parameters and state.
    let adamStep (b: Backend<'T>) (cfg: Adam) (lr: float) (s: AdamState<'T>) (ps: 'T list) (grads: 'T list) =
        let t = s.Step + 1
        let c1 = 1.0 - cfg.Beta1 ** float t
        let c2 = 1.0 - cfg.Beta2 ** float t
        let m = List.map2 (fun m g -> b.add (b.scale cfg.Beta1 m) (b.scale (1.0 - cfg.Beta1) g)) s.M grads
        let v = List.map2 (fun v g -> b.add (b.scale cfg.Beta2 v) (b.scale (1.0 - cfg.Beta2) (b.mul g g))) s.V grads
        let update p m v =
            let denom = b.addScalar cfg.Epsilon (b.sqrt (b.scale (1.0 / c2) v))
            b.sub p (b.div (b.scale (lr / c1) m) denom)
        List.map3 update ps m v, { Step = t; M = m; V = v }

    /// Step decay: the base rate times `factor` for every milestone already passed (0-based iteration).
    let stepDecay (baseLr: float) (milestones: int[]) (factor: float) (iteration: int) =
        let passed = milestones |> Array.filter (fun m -> iteration >= m) |> Array.length
        baseLr * factor ** float passed
