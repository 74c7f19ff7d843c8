namespace LoE.Core

open System

/// The core's backend-neutral tensor API: a record of functions over the backend's tensor type 'T.
/// Layers, losses, metrics and optimisers are written once against it; TorchSharp is one backend, and a pure
/// .NET reference backend can be another without touching any layer. Shapes are row-major int arrays;
/// data crosses the boundary as float64 arrays. Binary ops broadcast like NumPy.
type Backend<'T> =
    { Name: string
      /// A constant tensor from row-major data and a shape.
      tensor: float[] -> int[] -> 'T
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
      /// [n; k] × [k; m] -> [n; m].
      matmul: 'T -> 'T -> 'T
      /// Concatenate along the last axis.
      concatLast: 'T list -> 'T
      /// Sum of all elements, as a scalar tensor.
      sum: 'T -> 'T
      /// Position-dependent linear layer: routing, expert weights [E; in; out], expert biases [E; out],
      /// input [n; in] -> [n; out]; y_j = sum_k w_jk (x_j W[e_jk] + b[e_jk]).
      expertLinear: Routing -> 'T -> 'T -> 'T -> 'T
      /// Rows of a table [cells; C] blended by a routing: y_j = sum_k w_jk T[e_jk], [n; C] (the learnable
      /// coordinate embedding of "PE + CE", with Grid.lattice routing).
      interpolate: Routing -> 'T -> 'T
      /// Value of f and its gradient with respect to each argument (f must return a scalar).
      valueAndGrad: ('T list -> 'T) -> 'T list -> float * 'T list
      /// Opens a scope that frees the tensors made inside it when disposed, except those passed to `keep`.
      scope: unit -> IDisposable
      /// Lets a tensor outlive the innermost open scope.
      keep: 'T -> 'T
      /// Frees a tensor now (no-op on a garbage-collected backend).
      free: 'T -> unit }

module Backend =
    let scalar (b: Backend<'T>) (t: 'T) = (b.toArray t).[0]
    let mean (b: Backend<'T>) (t: 'T) =
        let n = b.shape t |> Array.fold (*) 1
        b.sum t |> b.scale (1.0 / float n)
