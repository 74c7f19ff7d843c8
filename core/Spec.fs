namespace LoE.Core

/// How a position-dependent layer turns the tile of experts into one weight matrix at a coordinate.
type Interpolation =
    /// The expert of the cell the coordinate falls in (eq. 7-8).
    | Nearest = 0
    /// N-linear blend of the 2^d neighbouring experts ("Ours Bilinear"), the main paper's eq. 4: a linear B-spline
    /// whose expert j peaks at the grid vertex u ≡ j (mod t), half a cell from nearest's cell [j, j+1).
    | NLinear = 1
    /// The N-linear blend with expert j at the cell centre j + 0.5 instead, where it equals nearest (this
    /// project's reading before it followed eq. 4).
    | NLinearCentred = 2

/// How the experts of a position-dependent layer start (the paper leaves it open; section A only names Kaiming
/// uniform). Independent draws make the starting field a different random network in every cell, a noise field
/// a short run cannot clean; a replicated draw makes the network equal the dense one at step 0, and the experts
/// diverge only through training.
type ExpertInit =
    /// Every expert its own draw.
    | Independent = 0
    /// One draw (of a dense layer's shape) copied to every expert, drawing what the dense layer draws.
    | Replicated = 1

/// An image: row-major, channels interleaved, values in [0, 1].
type Image = { Width: int; Height: int; Channels: int; Pixels: float32[] }

/// A sampled signal on a regular grid in any number of dimensions (an image: [width; height]; a video:
/// [width; height; frames]): row-major with the first dimension fastest, channels interleaved, values in [0, 1].
type Signal = { Size: int[]; Channels: int; Values: float32[] }

/// What the first layer sees.
type InputMapping =
    /// Positional encoding of the coordinate with L frequencies (section B, C).
    | Positional = 0
    /// A constant 1 for every coordinate: position enters only through the weights ("Constant Input (no PE)").
    | Constant = 1
    /// The raw coordinate in [0, 1]^d (SIREN).
    | Raw = 2

/// The interval the encoded coordinate spans: the positional encoding and SIREN's raw input see p (in [0, 1]^d)
/// or 2p − 1 (in [−1, 1]^d, as SIREN's and ACORN's code, where L frequencies reach the sampling limit at 2^L
/// samples). The expert grids always take p ∈ [0, 1]^d (Table 6).
type EncodingRange =
    | Unit = 0
    | Symmetric = 1

/// The nonlinearity between layers.
type Activation =
    /// LeakyReLU with ModelSpec.NegativeSlope; Kaiming-uniform initialisation.
    | LeakyRelu = 0
    /// sin(omega0 x) with SIREN's initialisation (Sitzmann et al. 2020).
    | Sine = 1

/// The per-layer affine map [x; y] = A p + b that repeats a layer's tile over space (eq. 8).
type AffineMap = { A: float[,]; B: float[] }

/// The network: PE input mapping, position-dependent layers, and one final plain linear layer.
type ModelSpec =
    { /// Number of positional-encoding frequencies L.
      PeFrequencies: int
      /// Output widths of the position-dependent layers (all layers but the last).
      HiddenWidths: int[]
      /// Tile size per input dimension, e.g. [|2; 2|].
      Tile: int[]
      /// One affine map per position-dependent layer.
      Layout: AffineMap[]
      Interpolation: Interpolation
      /// LeakyReLU slope between layers (the paper: 0.2).
      NegativeSlope: float
      /// Per position-dependent layer tile (section C: 2×2×2 then 4×4×4); null or empty: Tile for every layer.
      /// A layer whose tile holds one expert is a plain linear layer.
      Tiles: int[][]
      Input: InputMapping
      /// Learnable coordinate embedding ("PE + CE"): channels (0: none), concatenated with the input mapping.
      EmbeddingChannels: int
      /// Embedding grid points per dimension (256 for images, 64 for video).
      EmbeddingResolution: int
      Activation: Activation
      /// SIREN's frequency factor omega0 (30).
      Omega0: float
      /// One bias per position-dependent layer, h(x, p) = ψ(p) x + b (the main paper), instead of one per expert.
      SharedBias: bool
      /// What interval the positional encoding (or SIREN's raw input) maps the coordinate to.
      EncodingRange: EncodingRange
      ExpertInit: ExpertInit }

module ModelSpec =
    /// SIREN's ω₀ (Sitzmann et al. 2020), the default of model.omega0.
    [<Literal>]
    let SirenOmega0 = 30.0

    /// A section-A style network: PE input, LeakyReLU, the same tile for every layer, no embedding.
    let toy (pe: int) (widths: int[]) (tile: int[]) (layout: AffineMap[]) (interp: Interpolation) (slope: float) : ModelSpec =
        { PeFrequencies = pe; HiddenWidths = widths; Tile = tile; Layout = layout; Interpolation = interp
          NegativeSlope = slope; Tiles = null; Input = InputMapping.Positional; EmbeddingChannels = 0
          EmbeddingResolution = 0; Activation = Activation.LeakyRelu; Omega0 = SirenOmega0; SharedBias = false
          EncodingRange = EncodingRange.Unit; ExpertInit = ExpertInit.Independent }

    /// The tile of position-dependent layer i (0-based).
    let tileOf (spec: ModelSpec) (i: int) =
        if isNull spec.Tiles || spec.Tiles.Length = 0 then spec.Tile else spec.Tiles.[i]

/// Adam's hyperparameters (β1, β2, ε), the same for every objective.
type Adam = { Beta1: float; Beta2: float; Epsilon: float }

type TrainSpec =
    { Iterations: int
      LearningRate: float
      /// Iterations after which the learning rate is multiplied by LrDecayFactor (step decay).
      LrDecayAt: int[]
      LrDecayFactor: float
      Adam: Adam
      Seed: int
      /// Record (and report) metrics every this many iterations.
      LogEvery: int
      /// Samples drawn at random per iteration (sections B, C); 0: the whole signal every iteration (section A).
      BatchSize: int }

/// Which backend runs the numbers: "torch" with a device ("cpu", "cuda"), and a precision.
type BackendSpec = { Name: string; Device: string; Float64: bool; Threads: int }

/// One row of the metrics over iterations. TestPsnrDb: the held-out PSNR measured at that iteration (a scene's
/// scene.eval_every), NaN where none was measured.
type Progress = { Iteration: int; Loss: float; PsnrDb: float; LearningRate: float; Seconds: float; TestPsnrDb: float }

type FitResult =
    { PsnrDb: float
      /// Mean SSIM over channels (and frames), computed on the whole reconstruction.
      Ssim: float
      FinalLoss: float
      Iterations: int
      TrainSeconds: float
      History: Progress[]
      /// The first frame of Output as an image (the whole reconstruction for images).
      Reconstruction: Image
      /// The whole reconstruction, clamped to [0, 1].
      Output: Signal
      /// Every stored parameter, unused experts included.
      ParameterCount: int64
      /// ParameterCount at 4 bytes (float32) each: the representation's size as a compressor.
      ParameterBytes: int64
      /// Multiply-adds of one forward pass per sample (the paper's tables list them).
      MultiplyAdds: int64 }

/// Everything training changes, as plain row-major arrays so any backend can resume from it: parameters and
/// Adam's moments by name, and the metrics so far. Written every K iterations; a run resumed from it continues
/// exactly as an uninterrupted run would (full-image training has no other state).
type Checkpoint =
    { /// Iterations completed.
      Iteration: int
      Names: string[]
      Shapes: int[][]
      Parameters: float[][]
      AdamStep: int
      AdamM: float[][]
      AdamV: float[][]
      History: Progress[]
      /// Training seconds spent before this checkpoint.
      Seconds: float }

/// What the caller of a fit wants to hear and keep. Resume may be null (start afresh).
type FitHooks =
    { OnProgress: System.Action<Progress>
      /// Iterations between checkpoints (0: none).
      CheckpointEvery: int
      OnCheckpoint: System.Action<Checkpoint>
      Resume: Checkpoint
      Cancel: System.Threading.CancellationToken }
