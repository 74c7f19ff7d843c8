namespace LoE.Core.Nerf

open System
open LoE.Core

/// How a radiance field is trained (section D): rays per iteration, coarse and fine samples per ray, Adam, and
/// NeRF's exponential decay lr · 0.1^(iteration / LrDecaySteps).
type NerfTrain =
    { Iterations: int
      Rays: int
      CoarseSamples: int
      FineSamples: int
      LearningRate: float
      LrDecaySteps: int
      Adam: Adam
      Seed: int
      LogEvery: int
      /// Rays rendered at once when evaluating (memory, not results).
      Chunk: int
      /// Which coarse weights the fine samples are drawn from (Sampling.hierarchical).
      FineWeights: FineWeights
      /// Iterations between held-out evaluations while training (0: none).
      EvalEvery: int
      /// At most this many test views, evenly spread, rendered by those evaluations.
      EvalViews: int }

/// What a NeRF run measures: PSNR and SSIM on the test views (means over views), time, sizes, the test renders.
type NerfResult =
    { PsnrDb: float
      Ssim: float
      ViewPsnrDb: float[]
      TrainSeconds: float
      History: Progress[]
      /// Parameters of one network (the paper's count); coarse and fine together hold twice as many.
      ParameterCount: int64
      MultiplyAdds: int64
      Renders: Image[]
      /// Renders from the extra cameras asked for (a turntable).
      Extra: Image[] }

/// NeRF as an objective of the one training loop: coarse and fine fields (one parameter group), a loss over the
/// iteration's rays through both, and evaluation and rendering from trained parameters.
module Training =
    /// NeRF's schedule: lr · 0.1^(iteration / decaySteps).
    let learningRate (t: NerfTrain) (iteration: int) = t.LearningRate * 0.1 ** (float iteration / float t.LrDecaySteps)

    /// The coarse and the fine field (identical architectures, as the paper).
    type Fields<'T> = { Coarse: Component<'T>; Fine: Component<'T> }

    let fields (b: Backend<'T>) (m: NerfModel) = { Coarse = Field.create b "coarse" m; Fine = Field.create b "fine" m }

    /// Rays on the device: origins and directions in grid coordinates, unit view directions (float64), colours.
    type DeviceRays<'T> = { Count: int; Origins: 'T; Directions: 'T; ViewDirections: 'T; Colours: 'T }

    let upload (b: Backend<'T>) (r: Scene.GridRays) (persistent: bool) : DeviceRays<'T> =
        let keep t = if persistent then b.persist t else t
        { Count = r.Count
          Origins = b.points r.Origins [| r.Count; 3 |] |> keep
          Directions = b.points r.Directions [| r.Count; 3 |] |> keep
          ViewDirections = b.points r.ViewDirections [| r.Count; 3 |] |> keep
          Colours = b.tensor r.Colours [| r.Count; 3 |] |> keep }

    /// The coarse and the fine rendering of rays: samples on the device, routed and encoded there (Batch.ofPoints).
    let renderRays (b: Backend<'T>) (m: NerfModel) (scene: Scene) (fs: Fields<'T>) (ps: Params<'T>) (jitter: int -> Sampling.Jitter)
                   (fineWeights: FineWeights) coarseSamples fineSamples (origins: 'T) (directions: 'T) (viewDirections: 'T) : Render.Rendered<'T> * Render.Rendered<'T> =
        let rays = (b.shape origins).[0]
        let pass (field: Component<'T>) (t: 'T) =
            let samples = (b.shape t).[1]
            let batch = Batch.ofPoints b false (Sampling.positions b origins directions t)
            let dirs = Field.encodeDirections b m (Sampling.perSample b samples viewDirections)
            let out = field.Apply batch ps dirs
            let sigma = b.reshape [| rays; samples |] (b.narrowLast 0 1 out)
            Render.composite b scene.Background sigma (b.narrowLast 1 3 out) t
        let tCoarse = Sampling.stratified b (jitter 0) scene.Near scene.Far rays coarseSamples
        let coarse = pass fs.Coarse tCoarse
        let fine =
            if fineSamples = 0 then coarse
            else pass fs.Fine (Sampling.hierarchical b fineWeights (jitter 1) scene.Near scene.Far tCoarse coarse.Weights fineSamples)
        coarse, fine

    /// A seed for the sampler of one pass of one iteration: a function of (seed, iteration, pass) alone, so a resumed
    /// run draws what the uninterrupted one would have.
    let samplerSeed (seed: int) (iteration: int) (pass: int) = (int64 seed * 1_000_003L + int64 iteration) * 2L + int64 pass

    type Problem<'T> = { Fields: Fields<'T>; Names: string list; Objective: Objective<'T> }

    /// The test views evaluated while training: all when there are at most `count`, else views ⌊i·n/count⌋,
    /// i < count (evenly spread, the first included).
    let evalViews (count: int) (test: View[]) : View[] =
        if test.Length <= count then test else Array.init count (fun i -> test.[i * test.Length / count])

    /// The fine rendering of a camera's every pixel with deterministic samples, in chunks of rays.
    let renderView (b: Backend<'T>) (m: NerfModel) (t: NerfTrain) (scene: Scene) (fs: Fields<'T>) (ps: Params<'T>) (camera: Camera) : Image =
        let r = Scene.gridRays scene [| { Camera = camera; Image = { Width = camera.Width; Height = camera.Height; Channels = 3; Pixels = Array.zeroCreate (camera.Width * camera.Height * 3) } } |]
        let pixels = Array.zeroCreate (r.Count * 3)
        for start in 0 .. t.Chunk .. r.Count - 1 do
            use _ = b.scope ()
            let n = min t.Chunk (r.Count - start)
            let slice (a: float[]) = b.points (Array.sub a (3 * start) (3 * n)) [| n; 3 |]
            let _, fine = renderRays b m scene fs ps (fun _ -> Sampling.Centred) t.FineWeights t.CoarseSamples t.FineSamples (slice r.Origins) (slice r.Directions) (slice r.ViewDirections)
            b.toArray fine.Colours |> Array.iteri (fun i v -> pixels.[3 * start + i] <- float32 (Math.Clamp(v, 0.0, 1.0)))
        { Width = camera.Width; Height = camera.Height; Channels = 3; Pixels = pixels }

    let private mseOf (a: Image) (b: Image) =
        Array.fold2 (fun s (x: float32) (y: float32) -> let d = float x - float y in s + d * d) 0.0 a.Pixels b.Pixels / float a.Pixels.Length

    /// Each view's PSNR of its render.
    let private viewPsnrs (renders: Image[]) (views: View[]) = Array.map2 (fun r v -> Metrics.psnr (mseOf r v.Image)) renders views

    /// PSNR and SSIM of renders against views: means over views (PSNR averaged in dB per view, as NeRF's papers
    /// report it), and each view's PSNR.
    let measure (renders: Image[]) (views: View[]) =
        let psnrs = viewPsnrs renders views
        let ssims = Array.map2 (fun (r: Image) v -> Metrics.ssim [| r.Width; r.Height |] 3 r.Pixels v.Image.Pixels) renders views
        Array.average psnrs, Array.average ssims, psnrs

    /// The NeRF objective over the training views: every iteration `Rays` rays drawn from (seed, iteration),
    /// loss = MSE(coarse) + MSE(fine) (NeRF's); the logged PSNR is that of half the loss, their mean.
    let problem (b: Backend<'T>) (m: NerfModel) (t: NerfTrain) (scene: Scene) : Problem<'T> =
        let fs = fields b m
        let initial = (Component.init b fs.Coarse t.Seed |> Map.toList) @ (Component.init b fs.Fine (t.Seed + 1) |> Map.toList)
        let names = initial |> List.map fst
        let train = upload b (Scene.gridRays scene scene.Train) true
        let loss (it: int) (values: 'T list) =
            let ps = List.zip names values |> Map.ofList
            let indices = Fit.sampleIndices t.Seed it t.Rays train.Count
            let idx = b.indices indices [| indices.Length |]
            let pick x = b.gatherRows x idx
            let coarse, fine =
                renderRays b m scene fs ps (fun pass -> Sampling.Random(samplerSeed t.Seed it pass)) t.FineWeights t.CoarseSamples t.FineSamples
                    (pick train.Origins) (pick train.Directions) (pick train.ViewDirections)
            let truth = pick train.Colours
            let coarseLoss = Metrics.mse b coarse.Colours truth
            if t.FineSamples = 0 then coarseLoss else b.add coarseLoss (Metrics.mse b fine.Colours truth)
        let halve = if t.FineSamples = 0 then 1.0 else 0.5
        let held = evalViews t.EvalViews scene.Test
        let testPsnr (groups: 'T list list) =
            let ps = List.zip names (List.head groups) |> Map.ofList
            // The PSNR alone: held-out SSIM while training would cost a pass nobody reads.
            viewPsnrs (held |> Array.map (fun v -> renderView b m t scene fs ps v.Camera)) held |> Array.average
        { Fields = fs; Names = names
          Objective =
            { Groups = [ { Names = names; Initial = initial |> List.map snd
                           Adam = t.Adam
                           LearningRate = learningRate t; Average = None } ]
              Loss = fun _ it groups -> loss it (List.head groups)
              PsnrOfLoss = fun l -> Metrics.psnr (l * halve)
              TestEvery = t.EvalEvery; TestPsnr = testPsnr } }

    /// The mean squared error of the test renders against their views: a scene run's final loss.
    let testLoss (r: NerfResult) (test: View[]) : float =
        Array.map2 (fun (a: Image) v -> mseOf a v.Image) r.Renders test |> Array.average

    let paramsOf (names: string list) (values: 'T list) : Params<'T> = List.zip names values |> Map.ofList

    /// Trains on the scene's training views, measures the test views and renders the `extra` cameras.
    let train (b: Backend<'T>) (m: NerfModel) (t: NerfTrain) (scene: Scene) (hooks: FitHooks) (extra: Camera[]) : NerfResult =
        let p = problem b m t scene
        let trained = Loop.run b p.Objective { Iterations = t.Iterations; LogEvery = t.LogEvery } hooks
        let ps = paramsOf p.Names (List.head trained.Parameters)
        let renders = scene.Test |> Array.map (fun v -> renderView b m t scene p.Fields ps v.Camera)
        let psnr, ssim, views = measure renders scene.Test
        { PsnrDb = psnr; Ssim = ssim; ViewPsnrDb = views; TrainSeconds = trained.Seconds; History = trained.History
          ParameterCount = Component.parameterCount p.Fields.Coarse; MultiplyAdds = p.Fields.Coarse.MultiplyAdds; Renders = renders
          Extra = extra |> Array.map (renderView b m t scene p.Fields ps) }

    /// Trains with the backend `backend` names (the host's entry point).
    let trainWith (backend: BackendSpec) (m: NerfModel) (t: NerfTrain) (scene: Scene) (hooks: FitHooks) (extra: Camera[]) : NerfResult =
        Backends.using backend { new IBackendUser<NerfResult> with member _.Use b = train b m t scene hooks extra }

    /// Renders trained parameters (a checkpoint's) from any cameras.
    let renderWith (backend: BackendSpec) (m: NerfModel) (t: NerfTrain) (scene: Scene) (trained: Checkpoint) (cameras: Camera[]) : Image[] =
        Backends.using backend
            { new IBackendUser<Image[]> with
                member _.Use b =
                    let ps = Array.map2 b.tensor trained.Parameters trained.Shapes |> Array.zip trained.Names |> Map.ofArray
                    let fs = fields b m
                    cameras |> Array.map (renderView b m t scene fs ps) }
