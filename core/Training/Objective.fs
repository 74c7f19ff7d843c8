namespace LoE.Core

/// A group the loop does not train but averages: after every iteration each of its tensors becomes
/// Decay · itself + (1 − Decay) · the same tensor of group Of (an exponential moving average, what GANs evaluate
/// their generator with: it smooths the last iterations' oscillation out of the scores).
type Average = { Of: int; Decay: float }

/// Parameters trained together by one Adam with one learning-rate schedule (the GAN has two groups), or, with
/// Average set, a moving average of another group's (its Adam and learning rate are then unused; it keeps an Adam
/// state of zeros so that checkpoints have one format).
type ParameterGroup<'T> =
    { Names: string list
      Initial: 'T list
      Adam: Adam
      /// The learning rate at a 0-based iteration.
      LearningRate: int -> float
      Average: Average option }

/// What an experiment gives the training loop: its parameter groups, and the loss that trains group g at an
/// iteration as a function of every group's current parameters (in group order). The loop calls it inside the
/// step's scope, so whatever the loss makes for its batch is freed with the step. Evaluation stays with the
/// objective's owner: it reads the trained parameters the loop returns.
type Objective<'T> =
    { Groups: ParameterGroup<'T> list
      Loss: int -> int -> 'T list list -> 'T
      /// What the logged loss of group 0 means as PSNR (NaN when it means none).
      PsnrOfLoss: float -> float
      /// Iterations between held-out evaluations (0: none).
      TestEvery: int
      /// The held-out PSNR of every group's current parameters; must not change training (no randomness drawn).
      TestPsnr: 'T list list -> float }

/// When the loop records, checkpoints and stops.
type LoopSettings = { Iterations: int; LogEvery: int }

/// What the loop returns: every group's trained parameters, the metrics and the training seconds.
type Trained<'T> = { Parameters: 'T list list; History: Progress[]; Seconds: float }
