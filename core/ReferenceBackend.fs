namespace LoE.Core

open System
open System.Runtime.CompilerServices
open LoE.Core.Reference

/// The reference backend: plain .NET float64 arrays, its own reverse-mode differentiation (Reference.Tape), no
/// native dependency. Slower than torch but simple enough to trust: "CPU reference runs" use it, and the tests
/// hold torch to it.
module ReferenceBackend =
    type T = Tensor

    /// Nothing to free: tensors are garbage collected.
    let private noScope = { new IDisposable with member _.Dispose() = () }

    let create () : Backend<T> =
        { Name = "reference-f64"
          tensor = Ops.tensor
          toArray = fun t -> Array.copy t.Data
          shape = fun t -> Array.copy t.Shape
          add = Ops.arith Add
          sub = Ops.arith Sub
          mul = Ops.arith Mul
          div = Ops.arith Div
          scale = Ops.scale
          addScalar = Ops.addScalar
          sqrt = Ops.sqrt
          sin = Ops.sin
          cos = Ops.cos
          leakyRelu = Ops.leakyRelu
          matmul = Ops.matmul
          concatLast = Ops.concatLast
          sum = Ops.sum
          expertLinear = Ops.expertLinear (ConditionalWeakTable())
          interpolate = Ops.interpolate
          valueAndGrad = Ops.valueAndGrad
          scope = fun () -> noScope
          keep = id
          free = ignore }
