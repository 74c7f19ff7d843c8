namespace LoE.Core

/// How a position-dependent layer turns the tile of experts into one weight matrix at a coordinate.
type Interpolation =
    /// The expert of the cell the coordinate falls in (eq. 7-8).
    | Nearest = 0
    /// N-linear blend of the 2^d neighbouring experts ("Ours Bilinear").
    | NLinear = 1

/// An image: row-major, channels interleaved, values in [0, 1].
type Image = { Width: int; Height: int; Channels: int; Pixels: float32[] }

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
      NegativeSlope: float }

type TrainSpec =
    { Iterations: int
      LearningRate: float
      /// Iterations after which the learning rate is multiplied by LrDecayFactor (step decay).
      LrDecayAt: int[]
      LrDecayFactor: float
      Beta1: float
      Beta2: float
      Epsilon: float
      Seed: int
      /// Record (and report) metrics every this many iterations.
      LogEvery: int }

/// Which backend runs the numbers: "torch" with a device ("cpu", "cuda"), and a precision.
type BackendSpec = { Name: string; Device: string; Float64: bool; Threads: int }

/// One row of the metrics over iterations.
type Progress = { Iteration: int; Loss: float; PsnrDb: float; LearningRate: float; Seconds: float }

type FitResult =
    { PsnrDb: float
      FinalLoss: float
      Iterations: int
      TrainSeconds: float
      History: Progress[]
      Reconstruction: Image
      ParameterCount: int64 }

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
