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

    let private routed (persistent: bool) (r: Routing) : Routed<T> =
        { Count = r.Count; K = r.K; TileExperts = r.TileExperts; Persistent = persistent
          Experts = Ops.tensor (r.Experts |> Array.map float) [| r.Count; r.K |]; Weights = Ops.tensor r.Weights [| r.Count; r.K |] }

    let create () : Backend<T> =
        let expertLinear = Ops.expertLinear (ConditionalWeakTable())
        let product = StackLayer.product expertLinear Ops.matmul (Ops.arith Add)
        { Name = "reference-f64"
          tensor = Ops.tensor
          points = Ops.tensor
          indices = fun data shape -> Ops.tensor (data |> Array.map float) shape
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
          exp = Ops.exp
          sigmoid = Ops.sigmoid
          cumsumLast = Ops.cumsumLast
          sumLast = Ops.sumLast
          reshape = Ops.reshape
          narrowLast = Ops.narrowLast
          matmul = Ops.matmul
          concatLast = Ops.concatLast
          gatherRows = Ops.gatherRows
          sum = Ops.sum
          fill = fun value shape -> Ops.tensor (Array.create (Shape.size shape) value) shape
          precision = id
          route = fun interp m tile persistent p -> Grid.route interp m tile p.Data |> routed persistent
          lattice = fun resolution persistent p -> Grid.lattice resolution p.Shape.[1] p.Data |> routed persistent
          positional = fun frequencies p ->
              let d = p.Shape.[1]
              Ops.tensor (Encoding.positional d frequencies p.Data) [| p.Shape.[0]; Encoding.peWidth d frequencies |]
          expertLinear = expertLinear
          expertStack = fun layers activation x -> layers |> List.fold (fun x l -> activation (product l x)) x
          interpolate = Ops.interpolate
          uniform = Ops.uniform
          sortLast = Ops.sortLast
          inverseCdf = Ops.inverseCdf
          adamInPlace = fun u p g m v ->
              for i in 0 .. p.Data.Length - 1 do
                  m.Data.[i] <- u.Beta1 * m.Data.[i] + (1.0 - u.Beta1) * g.Data.[i]
                  v.Data.[i] <- u.Beta2 * v.Data.[i] + (1.0 - u.Beta2) * (g.Data.[i] * g.Data.[i])
                  p.Data.[i] <- p.Data.[i] - u.StepSize * m.Data.[i] / (sqrt v.Data.[i] / u.Correction2Sqrt + u.Epsilon)
          valueAndGrad = Ops.valueAndGrad
          scope = fun () -> noScope
          keep = id
          persist = id
          free = ignore
          conv2d = fun stride padding x w bias -> Conv.conv2d stride padding x w bias
          avgPool2 = Conv.avgPool2
          permute = Conv.permute
          detach = fun t -> Tape.constant (Array.copy t.Data) (Array.copy t.Shape)
          assign = fun target source ->
              if target.Shape <> source.Shape then invalidArg "source" $"assign needs equal shapes, got %A{target.Shape} and %A{source.Shape}"
              Array.blit source.Data 0 target.Data 0 source.Data.Length }
