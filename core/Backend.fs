namespace LoE.Core

open System

/// A routing on a backend's device: which experts each of `Count` points uses, as tensors. `Experts` holds
/// integer expert indices [Count; K] (the backend's index type), `Weights` the N-linear weights [Count; K] in the
/// model's precision (K = 1 for nearest, 2^d for N-linear). `Persistent`: made once and kept for many steps (the
/// whole signal), so anything a backend derives from it (its grouping by expert) is kept too, rather than freed
/// with the step that first used it. `Grid.route` is the specification every backend's routing is held to.
type Routed<'T> = { Count: int; K: int; TileExperts: int; Experts: 'T; Weights: 'T; Persistent: bool }

/// One layer of a stack (Backend.expertStack): a position-dependent product when it has a routing (expert weights
/// [E; in; out], bias [out] or [E; out]), otherwise a plain one (weights [in; out], bias [out]).
type StackLayer<'T> = { Routing: Routed<'T> option; Weight: 'T; Bias: 'T }

module StackLayer =
    /// One layer's product with the rows in point order, from a backend's own ops: what a stack computes layer by
    /// layer.
    let product (expertLinear: Routed<'T> -> 'T -> 'T -> 'T -> 'T) (matmul: 'T -> 'T -> 'T) (add: 'T -> 'T -> 'T) (l: StackLayer<'T>) (x: 'T) : 'T =
        match l.Routing with
        | Some r -> expertLinear r l.Weight l.Bias x
        | None -> add (matmul x l.Weight) l.Bias

/// The constants of one Adam update (torch.optim.Adam's form): step size lr / (1 − β₁^t) and √(1 − β₂^t).
type AdamUpdate = { Beta1: float; Beta2: float; Epsilon: float; StepSize: float; Correction2Sqrt: float }

/// The core's backend-neutral tensor API: a record of functions over the backend's tensor type 'T.
/// Layers, encodings, losses, metrics and optimisers are written once against it; TorchSharp is one backend, the
/// pure .NET reference backend another. Shapes are row-major int arrays; data crosses the boundary as float64
/// arrays. Binary ops broadcast like NumPy.
///
/// Coordinates are tensors too: `points` makes float64 coordinates on the device, and routing, lattice routing
/// and the positional encoding are ops over them, so that points made on the device (NeRF's samples) never go
/// back to .NET during a training step.
type Backend<'T> =
    { Name: string
      /// A constant tensor in the model's precision from row-major data and a shape.
      tensor: float[] -> int[] -> 'T
      /// Coordinates [n; d] in float64 on the device (routing decides at cell borders: it needs the precision).
      points: float[] -> int[] -> 'T
      /// Integer indices of a shape on the device.
      indices: int[] -> int[] -> 'T
      toArray: 'T -> float[]
      shape: 'T -> int[]
      add: 'T -> 'T -> 'T
      sub: 'T -> 'T -> 'T
      mul: 'T -> 'T -> 'T
      div: 'T -> 'T -> 'T
      scale: float -> 'T -> 'T
      addScalar: float -> 'T -> 'T
      sqrt: 'T -> 'T
      sin: 'T -> 'T
      cos: 'T -> 'T
      leakyRelu: float -> 'T -> 'T
      exp: 'T -> 'T
      /// 1 / (1 + exp(−x)).
      sigmoid: 'T -> 'T
      /// Cumulative sum along the last axis (NeRF's transmittance).
      cumsumLast: 'T -> 'T
      /// Sum along the last axis, which disappears: [..; k] -> [..].
      sumLast: 'T -> 'T
      /// The same elements, row-major, in another shape of the same size.
      reshape: int[] -> 'T -> 'T
      /// `length` entries of the last axis from `start`.
      narrowLast: int -> int -> 'T -> 'T
      /// [n; k] × [k; m] -> [n; m].
      matmul: 'T -> 'T -> 'T
      /// Concatenate along the last axis.
      concatLast: 'T list -> 'T
      /// Rows of a tensor [n; ...] at integer indices (a tensor from `indices`): [m; ...].
      gatherRows: 'T -> 'T -> 'T
      /// Sum of all elements, as a scalar tensor.
      sum: 'T -> 'T
      /// A tensor of the model's precision filled with one value.
      fill: float -> int[] -> 'T
      /// Float64 points cast to the model's precision (SIREN's raw coordinate input).
      precision: 'T -> 'T
      /// Routing of points [n; d] through one position-dependent layer (Grid.route on the device).
      route: Interpolation -> AffineMap -> int[] -> bool -> 'T -> Routed<'T>
      /// N-linear routing on a clamped lattice of `resolution` points per dimension (Grid.lattice on the device).
      lattice: int -> bool -> 'T -> Routed<'T>
      /// Positional encoding of points [n; d] with L frequencies (Encoding.positional on the device), in the
      /// model's precision.
      positional: int -> 'T -> 'T
      /// Position-dependent linear layer: routing, expert weights [E; in; out], bias, input [n; in] -> [n; out];
      /// y_j = sum_k w_jk x_j W[e_jk] + bias_j, where the bias is shared [out] or per expert [E; out] (then
      /// blended like the weights).
      expertLinear: Routed<'T> -> 'T -> 'T -> 'T -> 'T
      /// Layers in turn, each product followed by an elementwise activation: the fold of StackLayer.product and the
      /// activation. Between layers a backend may hold the rows in an order of its own (elementwise ops do not care
      /// about order): torch keeps each nearest layer's slot order, one gather between layers instead of two per layer.
      expertStack: StackLayer<'T> list -> ('T -> 'T) -> 'T -> 'T
      /// Rows of a table [cells; C] blended by a routing: y_j = sum_k w_jk T[e_jk], [n; C] (the learnable
      /// coordinate embedding of "PE + CE", with lattice routing).
      interpolate: Routed<'T> -> 'T -> 'T
      /// Adam's update of a parameter and its moments, in place, from a gradient (p g m v): m ← β₁m + (1−β₁)g,
      /// v ← β₂v + (1−β₂)g², p ← p − s·m / (√v / √c₂ + ε). In place because the optimiser's memory traffic is a
      /// large share of a step for LoE's many experts; the training loop owns these tensors.
      adamInPlace: AdamUpdate -> 'T -> 'T -> 'T -> 'T -> unit
      /// Uniform draws in [0, 1), float64 on the device, from a seed alone (a sampler's randomness: each
      /// backend has its own stream, so the two backends agree only given the same draws).
      uniform: int64 -> int[] -> 'T
      /// Values sorted along the last axis; not differentiated (sample distances).
      sortLast: 'T -> 'T
      /// Inverse-CDF sampling, not differentiated: for rows of bin edges [n; B+1], non-negative bin weights [n; B]
      /// (not all zero) and uniforms [n; M], the distances [n; M] (float64) where the piecewise-linear CDF of the
      /// normalised weights reaches each uniform (NeRF's hierarchical sampling; `Reference.Sampling.inverseCdf` is its
      /// specification).
      inverseCdf: 'T -> 'T -> 'T -> 'T
      /// Value of f and its gradient with respect to each argument (f must return a scalar).
      valueAndGrad: ('T list -> 'T) -> 'T list -> float * 'T list
      /// Opens a scope that frees the tensors made inside it when disposed, except those passed to `keep`.
      scope: unit -> IDisposable
      /// Lets a tensor outlive the innermost open scope.
      keep: 'T -> 'T
      /// Lets a tensor outlive every open scope (until freed): what a persistent batch is made of.
      persist: 'T -> 'T
      /// Frees a tensor now (no-op on a garbage-collected backend).
      free: 'T -> unit
      /// 2-d convolution of images x [N; C; H; W] with weights [O; C; kh; kw] and bias [O] at a stride and zero
      /// padding (torch's conv2d): [N; O; H'; W'] (the GAN's patch discriminators).
      conv2d: int -> int -> 'T -> 'T -> 'T -> 'T
      /// The mean of each 2 × 2 block of images [N; C; H; W] (even H, W): [N; C; H/2; W/2].
      avgPool2: 'T -> 'T
      /// Axes reordered: output axis k is input axis perm[k] (pixels [N; H; W; C] to images [N; C; H; W]).
      permute: int[] -> 'T -> 'T
      /// The same values as a constant: no gradient flows back through it (spectral normalisation's power
      /// iteration vectors).
      detach: 'T -> 'T
      /// Copies the values of the second tensor into the first, in place and outside differentiation: state that
      /// is not trained but changes during training (spectral normalisation's u) lives in tensors the loop owns.
      assign: 'T -> 'T -> unit }

module Backend =
    let scalar (b: Backend<'T>) (t: 'T) = (b.toArray t).[0]
    let mean (b: Backend<'T>) (t: 'T) =
        let n = b.shape t |> Array.fold (*) 1
        b.sum t |> b.scale (1.0 / float n)
    /// A routing made in .NET (Grid.route, Grid.lattice) as the backend's tensors: how the specification's
    /// routing is fed to a backend's layer in tests.
    let routed (b: Backend<'T>) (persistent: bool) (r: Routing) : Routed<'T> =
        { Count = r.Count; K = r.K; TileExperts = r.TileExperts; Persistent = persistent
          Experts = b.indices r.Experts [| r.Count; r.K |]; Weights = b.tensor r.Weights [| r.Count; r.K |] }
    let elements (b: Backend<'T>) (t: 'T) = b.shape t |> Array.fold (fun n d -> n * int64 d) 1L
