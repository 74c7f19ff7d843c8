namespace LoE.Core.Nerf

/// Section D's configurations, and a quick one that runs here in minutes, with the paper's Table 10 beside them.
module Presets =
    /// Table 10 (Tanks and Temples "Family"): PSNR dB and SSIM per row, and the paper's training hours on 8 A40s.
    let table10 = [ "pe-mlp", (30.50, 0.900, 19.0); "no-hierarchy", (27.73, 0.861, 26.0); "ours", (31.46, 0.936, 26.0) ]

    /// The three rows at full scale.
    let rows = [ "pe-mlp", NerfModel.peMlp; "no-hierarchy", NerfModel.noHierarchy; "ours", NerfModel.ours ]

    /// Full scale (the paper): Adam (0.9, 0.999), lr 5e-5 decayed ×0.1 over 250k iterations (NeRF's published
    /// lrate_decay = 250), 16384 rays, 96 + 192 samples, 500k iterations.
    let paperTrain =
        { Iterations = 500_000; Rays = 16384; CoarseSamples = 96; FineSamples = 192; LearningRate = 5e-5; LrDecaySteps = 250_000
          Beta1 = 0.9; Beta2 = 0.999; Epsilon = 1e-8; Seed = 0; LogEvery = 1000; Chunk = 8192 }

    /// Quick: widths 64 (trunk) and 32 (colour) instead of 256 and 128, the same depth, tiles and encodings, and
    /// the grid scales capped at `side`, the image side in pixels (about the pixels across the scene), so that no
    /// grid is finer than what the views resolve (Table 6's † for images; the paper's A_5 = 1024 I is made for
    /// 1920×1080 views). 256 rays of 32 + 32 samples, lr 5e-3 (a small network this short needs a larger rate)
    /// decayed ×0.1 over twice the run, 600 iterations; the procedural scene at 32×32 with 100 views (80 train,
    /// 20 test): with 24 training views the LoE rows fitted the training rays (18 dB) but not the held-out views
    /// (8 dB, with or without the cap), since per-cell experts can memorise a few views' rays.
    let quickModel (side: int) (m: NerfModel) = { m with Width = 64; ColourWidth = 32; Scales = m.Scales |> Array.map (min (float side)) }

    let quickTrain =
        { paperTrain with Iterations = 600; Rays = 256; CoarseSamples = 32; FineSamples = 32; LearningRate = 5e-3
                          LrDecaySteps = 1200; LogEvery = 100; Chunk = 4096 }

    let quickScene () = Procedural.scene 32 100 5
