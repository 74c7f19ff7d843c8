namespace LoE.Core.Gan

open System
open LoE.Core

/// How a GAN is trained (section E): batch, Adam (0.9, 0.999) at lr 1e-4 for both networks, iterations.
type GanTrain =
    { Iterations: int
      BatchSize: int
      /// The generator's Adam learning rate, and the discriminator's unless DiscriminatorLearningRate is set.
      LearningRate: float
      /// The discriminator's Adam learning rate (0: LearningRate, as section E; SN-GAN and BigGAN train D faster).
      DiscriminatorLearningRate: float
      Adam: Adam
      /// Decay β of a moving average of the generator's parameters that samples and scores read (0: none, they
      /// read the trained generator itself); see Average.
      EmaDecay: float
      Seed: int
      LogEvery: int }

/// What a GAN run returns: the loop's history (its loss is the discriminator's), both losses at every iteration,
/// time, sizes, and the trained parameters of both networks (with the spectral-norm state).
type GanResult =
    { History: Progress[]
      /// (iteration, L_D, L_G) for every iteration trained in this process.
      Losses: (int * float * float)[]
      TrainSeconds: float
      GeneratorParameters: int64
      DiscriminatorParameters: int64
      /// Generator multiply-adds per pixel.
      MultiplyAdds: int64
      /// Names and values of every trained tensor, generator's first, then the discriminator's and the generator's
      /// average (named ema.*) when there is one: what `samples` reads.
      Names: string[]
      Shapes: int[][]
      Values: float[][] }

/// The GAN as an objective of the one training loop: group 0 is the discriminator (its weights and biases, and
/// its spectral-norm u vectors), group 1 the generator; the loop steps them in that order every iteration, the
/// usual alternation. The u vectors ride in the discriminator's group so that checkpoints hold them and a resumed
/// run continues exactly: their loss gradient is exactly 0, so Adam leaves them alone (m = v = 0, update
/// 0/(0 + ε)), and the discriminator's step writes their next values in place (Backend.assign) after its power
/// iteration. They are updated by the discriminator's steps only (torch's spectral_norm would also update them in
/// the generator's forward pass; with one iteration per step and slowly changing weights the difference is
/// one extra iteration per step).
module Training =
    /// Section E's optimiser settings with the given iterations, batch and seed.
    let paper (iterations: int) (batch: int) (seed: int) : GanTrain =
        { Iterations = iterations; BatchSize = batch; LearningRate = 1e-4; DiscriminatorLearningRate = 0.0; Adam = { Beta1 = 0.9; Beta2 = 0.999; Epsilon = 1e-8 }
          EmaDecay = 0.0; Seed = seed; LogEvery = max 1 (iterations / 100) }

    /// Images (all of one size and channel count) as a batch [N; C; H; W] in [−1, 1], the generator's range.
    let batchOf (b: Backend<'T>) (images: Image[]) (indices: int[]) : 'T =
        let first = images.[0]
        let c, h, w = first.Channels, first.Height, first.Width
        let data = Array.zeroCreate (indices.Length * c * h * w)
        indices |> Array.iteri (fun k i ->
            let im = images.[i]
            for y in 0 .. h - 1 do
                for x in 0 .. w - 1 do
                    for ch in 0 .. c - 1 do
                        data.[((k * c + ch) * h + y) * w + x] <- 2.0 * float im.Pixels.[(y * w + x) * c + ch] - 1.0)
        b.tensor data [| indices.Length; c; h; w |]

    /// Two batches [N; ...] as one [2N; ...] (row-major, so concatenating the flat data stacks them).
    let private stack (b: Backend<'T>) (x: 'T) (y: 'T) =
        let shape = b.shape x
        let size = Array.fold (*) 1 shape
        b.concatLast [ b.reshape [| 1; size |] x; b.reshape [| 1; size |] y ]
        |> b.reshape (Array.append [| 2 * shape.[0] |] shape.[1..])

    /// The first and the second half of a batch of score maps, flat.
    let private halves (b: Backend<'T>) (scores: 'T) =
        let size = Array.fold (*) 1 (b.shape scores)
        let flat = b.reshape [| 1; size |] scores
        b.narrowLast 0 (size / 2) flat, b.narrowLast (size / 2) (size / 2) flat

    /// Latents of one pass (0: the discriminator's, 1: the generator's) of one iteration: a function of (seed,
    /// iteration, pass) alone, so a resumed run draws what the uninterrupted one would have.
    let latentSeed (seed: int) (iteration: int) (pass: int) = (int64 seed * 1_000_003L + int64 iteration) * 2L + int64 pass

    type Problem<'T> =
        { Generator: Generator<'T>
          Discriminator: Discriminator
          GeneratorNames: string list
          DiscriminatorNames: string list
          /// The generator's moving average (ema.<name>), empty without one.
          AverageNames: string list
          Objective: Objective<'T>
          /// (iteration, L_D, L_G), filled as the loop runs.
          Losses: ResizeArray<int * float * float> }

    /// The name of a generator parameter's moving average.
    let averageName (name: string) = "ema." + name

    let private paramsOf (names: string list) (values: 'T list) : Params<'T> = List.zip names values |> Map.ofList

    /// The GAN objective over `images` (all of one size, side a multiple of 2): seeded initial parameters of both
    /// networks, real batches drawn from (seed, iteration), latents from (seed, iteration, pass).
    let problem (b: Backend<'T>) (gs: GeneratorSpec) (ds: DiscriminatorSpec) (t: GanTrain) (images: Image[]) : Problem<'T> =
        if images.Length = 0 then invalidArg "images" "a GAN needs training images"
        if ds.PowerIterations < 1 then
            // u is then read by σ̂ itself, and the in-place update would change a tensor backward still needs.
            invalidArg "ds" "spectral normalisation needs at least one power iteration per step"
        let side = images.[0].Width
        let gen = Generator.create b gs
        let disc = Discriminator.create ds
        let gInit = Generator.init b gen t.Seed
        let dInit = Component.init b { Parameters = disc.Parameters @ disc.State; MultiplyAdds = 0L; Apply = fun _ _ x -> x } (t.Seed + 1)
        let gNames = gen.Parameters |> List.map (fun p -> p.Name)
        let dNames = (disc.Parameters @ disc.State) |> List.map (fun p -> p.Name)
        let stateNames = disc.State |> List.map (fun p -> p.Name)
        let pixels = Generator.pixels b true t.BatchSize side images.[0].Height
        let dLearningRate = if t.DiscriminatorLearningRate > 0.0 then t.DiscriminatorLearningRate else t.LearningRate
        let losses = ResizeArray()
        let mutable lastD = nan
        let latents it pass = b.tensor (Generator.latents gs.LatentDim t.BatchSize (latentSeed t.Seed it pass)) [| t.BatchSize; gs.LatentDim |]
        let total (xs: 'T list) = List.reduce b.add xs
        let loss (g: int) (it: int) (groups: 'T list list) =
            let dps, gps = paramsOf dNames groups.[0], paramsOf gNames groups.[1]
            if g = 0 then
                let real = batchOf b images (Fit.sampleIndices t.Seed it t.BatchSize images.Length)
                let fake = Generator.images b gen gps pixels (latents it 0)
                // One pass over real and fake together: one power iteration per step, as the paper's.
                let scores, next = Discriminator.scores b disc dps (stack b real fake)
                let hinge = scores |> List.map (fun s -> let r, f = halves b s in Losses.discriminator b r f) |> total
                next |> List.iter (fun (name, u) -> b.assign dps.[name] u)
                // 0 · Σu: u takes part in the loss so every backend hands it a gradient, and that gradient is 0.
                let state = stateNames |> List.map (fun n -> b.sum dps.[n]) |> total |> b.scale 0.0
                let l = b.add hinge state
                lastD <- Backend.scalar b l
                l
            else
                let fake = Generator.images b gen gps pixels (latents it 1)
                let scores, _ = Discriminator.scores b disc dps fake
                let l = scores |> List.map (Losses.generator b) |> total
                losses.Add((it + 1, lastD, Backend.scalar b l))
                l
        // The average starts as a copy of the generator's initial parameters.
        let aNames = if t.EmaDecay > 0.0 then gNames |> List.map averageName else []
        let averaged =
            [ if t.EmaDecay > 0.0 then
                { Names = aNames; Initial = gNames |> List.map (fun n -> let v = gInit.[n] in b.tensor (b.toArray v) (b.shape v))
                  Adam = t.Adam; LearningRate = (fun _ -> 0.0); Average = Some { Of = 1; Decay = t.EmaDecay } } ]
        { Generator = gen; Discriminator = disc; GeneratorNames = gNames; DiscriminatorNames = dNames; AverageNames = aNames; Losses = losses
          Objective =
            { Groups =
                [ { Names = dNames; Initial = dNames |> List.map (fun n -> dInit.[n]); Adam = t.Adam; LearningRate = (fun _ -> dLearningRate); Average = None }
                  { Names = gNames; Initial = gNames |> List.map (fun n -> gInit.[n]); Adam = t.Adam; LearningRate = (fun _ -> t.LearningRate); Average = None } ]
                @ averaged
              Loss = loss
              PsnrOfLoss = fun _ -> nan
              TestEvery = 0
              TestPsnr = fun _ -> nan } }

    /// Images from the generator for latents (row-major [count; LatentDim]), in [0, 1], `chunk` images at a time.
    let generate (b: Backend<'T>) (gen: Generator<'T>) (ps: Params<'T>) (side: int) (latents: float[]) : Image[] =
        let s = gen.Spec
        let count = latents.Length / s.LatentDim
        [| for start in 0 .. 8 .. count - 1 do
            use _ = b.scope ()
            let n = min 8 (count - start)
            let z = b.tensor latents.[start * s.LatentDim .. (start + n) * s.LatentDim - 1] [| n; s.LatentDim |]
            let pixels = b.toArray (Generator.apply b gen ps (Generator.pixels b false n side side) z)
            for k in 0 .. n - 1 ->
                let per = side * side * s.Channels
                { Width = side; Height = side; Channels = s.Channels
                  Pixels = Array.init per (fun i -> float32 (Math.Clamp((pixels.[k * per + i] + 1.0) / 2.0, 0.0, 1.0))) } |]

    /// Images side by side in a grid of `columns` (what people look at during training).
    let grid (columns: int) (images: Image[]) : Image =
        let im = images.[0]
        let rows = (images.Length + columns - 1) / columns
        let w, h, c = im.Width, im.Height, im.Channels
        let pixels = Array.zeroCreate (columns * w * rows * h * c)
        images |> Array.iteri (fun k im ->
            let gx, gy = (k % columns) * w, (k / columns) * h
            for y in 0 .. h - 1 do
                Array.blit im.Pixels (y * w * c) pixels (((gy + y) * columns * w + gx) * c) (w * c))
        { Width = columns * w; Height = rows * h; Channels = c; Pixels = pixels }

    /// The generator's parameters among trained names and values: its moving average when the run kept one.
    let private generatorParams (b: Backend<'T>) (gen: Generator<'T>) (names: string[]) (shapes: int[][]) (values: float[][]) : Params<'T> =
        let index = names |> Array.mapi (fun i n -> n, i) |> Map.ofArray
        let averaged = names |> Array.exists (fun n -> n.StartsWith "ema.")
        gen.Parameters
        |> List.map (fun p ->
            let i = index.[if averaged then averageName p.Name else p.Name]
            p.Name, b.tensor values.[i] shapes.[i])
        |> Map.ofList

    /// Trains the GAN on `images` and returns its history and trained tensors.
    let train (b: Backend<'T>) (gs: GeneratorSpec) (ds: DiscriminatorSpec) (t: GanTrain) (images: Image[]) (hooks: FitHooks) : GanResult =
        let p = problem b gs ds t images
        let trained = Loop.run b p.Objective { Iterations = t.Iterations; LogEvery = t.LogEvery } hooks
        let gValues, dValues = trained.Parameters.[1], trained.Parameters.[0]
        let names = p.GeneratorNames @ p.DiscriminatorNames @ p.AverageNames
        let values = gValues @ dValues @ (if p.AverageNames.IsEmpty then [] else trained.Parameters.[2])
        { History = trained.History; Losses = p.Losses.ToArray(); TrainSeconds = trained.Seconds
          GeneratorParameters = Generator.parameterCount p.Generator
          DiscriminatorParameters = Discriminator.parameterCount p.Discriminator
          MultiplyAdds = p.Generator.MultiplyAdds
          Names = Array.ofList names; Shapes = values |> List.map b.shape |> Array.ofList; Values = values |> List.map b.toArray |> Array.ofList }

    /// Trains with the backend `backend` names (the host's entry point).
    let trainWith (backend: BackendSpec) (gs: GeneratorSpec) (ds: DiscriminatorSpec) (t: GanTrain) (images: Image[]) (hooks: FitHooks) : GanResult =
        Backends.using backend { new IBackendUser<GanResult> with member _.Use b = train b gs ds t images hooks }

    /// `count` images of `side` pixels from trained tensors (a result's Names/Shapes/Values, or a checkpoint's
    /// Names/Shapes/Parameters) for the latents of `seed`: the same seed gives the same latents, so grids written
    /// during training compare across checkpoints.
    let samplesWith (backend: BackendSpec) (gs: GeneratorSpec) (names: string[]) (shapes: int[][]) (values: float[][]) (side: int) (count: int) (seed: int) : Image[] =
        Backends.using backend
            { new IBackendUser<Image[]> with
                member _.Use b =
                    // The parameters belong to a scope, so torch's finaliser never frees one while it is read.
                    use _ = b.scope ()
                    let gen = Generator.create b gs
                    generate b gen (generatorParams b gen names shapes values) side (Generator.latents gs.LatentDim count (int64 seed)) }

    /// Images along the straight line between the latents of two seeds (an interpolation strip), `steps` of them.
    let interpolationWith (backend: BackendSpec) (gs: GeneratorSpec) (names: string[]) (shapes: int[][]) (values: float[][]) (side: int) (steps: int) (seedA: int) (seedB: int) : Image[] =
        let za, zb = Generator.latents gs.LatentDim 1 (int64 seedA), Generator.latents gs.LatentDim 1 (int64 seedB)
        let line = Array.init steps (fun k -> let a = float k / float (max 1 (steps - 1)) in Array.map2 (fun x y -> (1.0 - a) * x + a * y) za zb) |> Array.concat
        Backends.using backend
            { new IBackendUser<Image[]> with
                member _.Use b =
                    use _ = b.scope ()
                    let gen = Generator.create b gs
                    generate b gen (generatorParams b gen names shapes values) side line }
