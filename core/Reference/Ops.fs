namespace LoE.Core.Reference

open System
open System.Runtime.CompilerServices
open LoE.Core

/// The ops of the core's tensor API on reference tensors, each with its vector-Jacobian product (VJP). The
/// rules follow torch's derivative formulas, so both backends agree to rounding.
module Ops =
    /// The VJP result for one input: computed only when the input needs a gradient.
    let inline private when' (need: bool) (grad: unit -> float[]) = if need then Some(grad ()) else None

    let private negate (a: float[]) = Kernels.unary Negate a
    let private elementwise op (a: float[]) (b: float[]) = fst (Kernels.arith op a [| a.Length |] b [| b.Length |])
    let private unary (x: Tensor) (data: float[]) (vjp: float[] -> float[]) =
        Tape.record [| x |] data x.Shape (fun g needs -> [| when' needs.[0] (fun () -> vjp g) |])

    let tensor (data: float[]) (shape: int[]) : Tensor =
        if data.Length <> Shape.size shape then
            invalidArg "data" $"{data.Length} values do not fill a tensor of shape %A{shape}"
        Tape.constant (Array.copy data) (Array.copy shape)

    /// Element-wise a op b with NumPy broadcasting. Each operand's gradient is summed back over the axes it
    /// was stretched along.
    let arith (op: Arith) (a: Tensor) (b: Tensor) : Tensor =
        let data, shape = Kernels.arith op a.Data a.Shape b.Data b.Shape
        let vjp (g: float[]) (needs: bool[]) =
            let onto (t: Tensor) (full: float[]) = Kernels.reduceTo full shape t.Shape
            let by op' (t: Tensor) = fst (Kernels.arith op' g shape t.Data t.Shape)
            let ga () =
                match op with
                | Add | Sub -> onto a g
                | Mul -> onto a (by Mul b)
                | Div -> onto a (by Div b)
            let gb () =
                match op with
                | Add -> onto b g
                | Sub -> onto b (negate g)
                | Mul -> onto b (by Mul a)
                | Div ->
                    // torch's rule: -g a / b².
                    let ga = by Mul a
                    let bb, _ = Kernels.arith Mul b.Data b.Shape b.Data b.Shape
                    onto b (negate (fst (Kernels.arith Div ga shape bb b.Shape)))
            [| when' needs.[0] ga; when' needs.[1] gb |]
        Tape.record [| a; b |] data shape vjp

    let scale (s: float) (x: Tensor) = unary x (Kernels.unary (Scale s) x.Data) (Kernels.unary (Scale s))

    let addScalar (s: float) (x: Tensor) = unary x (Kernels.unary (Shift s) x.Data) id

    /// d sqrt(x) = g / (2 sqrt(x)), from the output as torch does.
    let sqrt (x: Tensor) =
        let y = Kernels.unary Sqrt x.Data
        unary x y (fun g -> elementwise Div g (Kernels.unary (Scale 2.0) y))

    let sin (x: Tensor) =
        unary x (Kernels.unary Sin x.Data) (fun g -> elementwise Mul g (Kernels.unary Cos x.Data))

    let cos (x: Tensor) =
        unary x (Kernels.unary Cos x.Data) (fun g -> negate (elementwise Mul g (Kernels.unary Sin x.Data)))

    let leakyRelu (slope: float) (x: Tensor) =
        unary x (Kernels.unary (LeakyRelu slope) x.Data) (Kernels.leakyReluVjp slope x.Data)

    /// d exp(x) = g exp(x), from the output.
    let exp (x: Tensor) =
        let y = Array.map Math.Exp x.Data
        unary x y (fun g -> elementwise Mul g y)

    /// d σ(x) = g σ(x) (1 − σ(x)), from the output as torch does.
    let sigmoid (x: Tensor) =
        let y = x.Data |> Array.map (fun v -> 1.0 / (1.0 + Math.Exp -v))
        unary x y (fun g -> Array.init y.Length (fun i -> g.[i] * (y.[i] * (1.0 - y.[i]))))

    /// Rows of the last axis: their count and length.
    let private rowsOf (x: Tensor) = let k = Shape.inner x.Shape in (if k = 0 then 0 else x.Data.Length / k), k

    /// Running sums along the last axis; the VJP is the running sum of g from the end of each row.
    let cumsumLast (x: Tensor) =
        let rows, k = rowsOf x
        let scan (a: float[]) (backwards: bool) =
            let out = Array.zeroCreate a.Length
            for r in 0 .. rows - 1 do
                let mutable s = 0.0
                for i in 0 .. k - 1 do
                    let j = r * k + (if backwards then k - 1 - i else i)
                    s <- s + a.[j]
                    out.[j] <- s
            out
        unary x (scan x.Data false) (fun g -> scan g true)

    /// Sums along the last axis; the VJP spreads each row's gradient over its entries.
    let sumLast (x: Tensor) =
        let rows, k = rowsOf x
        let y = Array.init rows (fun r -> let mutable s = 0.0 in (for i in 0 .. k - 1 do s <- s + x.Data.[r * k + i]); s)
        Tape.record [| x |] y x.Shape.[.. x.Shape.Length - 2] (fun g needs ->
            [| when' needs.[0] (fun () -> Array.init x.Data.Length (fun j -> g.[j / k])) |])

    /// The same data in another shape; the gradient is reshaped back (the same data again).
    let reshape (shape: int[]) (x: Tensor) =
        if Shape.size shape <> x.Data.Length then invalidArg "shape" $"cannot reshape %A{x.Shape} to %A{shape}"
        Tape.record [| x |] x.Data (Array.copy shape) (fun g needs -> [| when' needs.[0] (fun () -> g) |])

    /// Entries [start, start + length) of the last axis; the VJP puts g back in place and zeros elsewhere.
    let narrowLast (start: int) (length: int) (x: Tensor) =
        let rows, k = rowsOf x
        if start < 0 || length < 0 || start + length > k then invalidArg "length" $"narrow [{start}, {start + length}) outside a last axis of {k}"
        let y = Array.zeroCreate (rows * length)
        for r in 0 .. rows - 1 do Array.blit x.Data (r * k + start) y (r * length) length
        let shape = Array.copy x.Shape
        shape.[shape.Length - 1] <- length
        Tape.record [| x |] y shape (fun g needs ->
            [| when' needs.[0] (fun () ->
                let dx = Array.zeroCreate x.Data.Length
                for r in 0 .. rows - 1 do Array.blit g (r * length) dx (r * k + start) length
                dx) |])

    /// Uniform draws in [0, 1) from System.Random(seed): the reference backend's own stream.
    let uniform (seed: int64) (shape: int[]) =
        let rng = Random(int (seed % int64 Int32.MaxValue))
        tensor (Array.init (Shape.size shape) (fun _ -> rng.NextDouble())) shape

    /// Values sorted along the last axis, as a constant.
    let sortLast (x: Tensor) =
        let rows, k = rowsOf x
        let y = Array.copy x.Data
        for r in 0 .. rows - 1 do Array.Sort(y, r * k, k)
        Tape.constant y (Array.copy x.Shape)

    /// Sampling.inverseCdf over rows, as a constant.
    let inverseCdf (bins: Tensor) (weights: Tensor) (u: Tensor) =
        let n = if weights.Shape.Length = 1 then 1 else weights.Data.Length / Shape.inner weights.Shape
        Tape.constant (Sampling.inverseCdf bins.Data weights.Data u.Data n) (Array.copy u.Shape)

    let private identity (n: int) = Array.init n id

    /// Plain product of rows [n; k] × [k; m] (the model's last, position-independent layer).
    let matmul (a: Tensor) (b: Tensor) : Tensor =
        if a.Shape.Length <> 2 || b.Shape.Length <> 2 || a.Shape.[1] <> b.Shape.[0] then
            invalidArg "b" $"matmul needs [n; k] × [k; m], got %A{a.Shape} × %A{b.Shape}"
        let n, k, m = a.Shape.[0], a.Shape.[1], b.Shape.[1]
        let rows = identity n
        let work = 2L * int64 n * int64 k * int64 m
        let blocks = (n + 63) / 64
        let product (x: float[]) (xCols: int) (y: float[]) (yCols: int) =
            let out = Array.zeroCreate (n * yCols)
            Kernels.forEach blocks work (fun t ->
                Gemm.rowsTimes x xCols rows (t * 64) (min n (t * 64 + 64)) y 0 yCols ValueNone ValueNone out false)
            out
        let vjp (g: float[]) (needs: bool[]) =
            let ga () = product g m (Kernels.transpose b.Data 1 k m) k
            let gb () =
                // aᵀ g, by bands of 4 rows of the result.
                let out = Array.zeroCreate (k * m)
                Kernels.forEach ((k + 3) / 4) work (fun t ->
                    Gemm.transposedTimes a.Data k rows 0 n ValueNone g m out 0 (t * 4) (min k (t * 4 + 4)))
                out
            [| when' needs.[0] ga; when' needs.[1] gb |]
        Tape.record [| a; b |] (product a.Data k b.Data m) [| n; m |] vjp

    /// Concatenation along the last axis; the VJP hands each input its columns of g.
    let concatLast (ts: Tensor list) : Tensor =
        let ts = Array.ofList ts
        if ts.Length = 0 then invalidArg "ts" "concatLast needs at least one tensor"
        let lead = ts.[0].Shape.[.. ts.[0].Shape.Length - 2]
        if ts |> Array.exists (fun t -> t.Shape.Length = 0 || t.Shape.[.. t.Shape.Length - 2] <> lead) then
            invalidArg "ts" "concatLast needs tensors that differ only in their last axis"
        let widths = ts |> Array.map (fun t -> Shape.inner t.Shape)
        let total = Array.sum widths
        let rows = Shape.size lead
        let starts = Array.scan (+) 0 widths
        let data = Array.zeroCreate (rows * total)
        ts |> Array.iteri (fun i t ->
            for r in 0 .. rows - 1 do
                Array.blit t.Data (r * widths.[i]) data (r * total + starts.[i]) widths.[i])
        let vjp (g: float[]) (needs: bool[]) =
            Array.init ts.Length (fun i ->
                when' needs.[i] (fun () ->
                    let gi = Array.zeroCreate (rows * widths.[i])
                    for r in 0 .. rows - 1 do
                        Array.blit g (r * total + starts.[i]) gi (r * widths.[i]) widths.[i]
                    gi))
        Tape.record ts data (Array.append lead [| total |]) vjp

    /// Sum of all elements as a scalar tensor; every element gets the output's gradient.
    let sum (x: Tensor) : Tensor =
        Tape.record [| x |] [| Kernels.sum x.Data |] [||] (fun g needs ->
            [| when' needs.[0] (fun () -> Array.create x.Data.Length g.[0]) |])

    /// The routing's arrays (Grid's own type), from its tensors.
    let routingOf (r: Routed<Tensor>) : Routing =
        { Count = r.Count; K = r.K; TileExperts = r.TileExperts
          Experts = r.Experts.Data |> Array.map int; Weights = Array.copy r.Weights.Data }

    /// The position-dependent linear layer; `plans` caches each routing's grouping. A shared bias [out] is the
    /// same layer with zero expert biases and the bias added once.
    let rec expertLinear (plans: ConditionalWeakTable<Routed<Tensor>, ExpertLinear.Plan>) (r: Routed<Tensor>) (w: Tensor) (b: Tensor) (x: Tensor) : Tensor =
        if b.Shape.Length = 1 && w.Shape.Length = 3 && b.Shape.[0] = w.Shape.[2] then
            let none = tensor (Array.zeroCreate (w.Shape.[0] * w.Shape.[2])) [| w.Shape.[0]; w.Shape.[2] |]
            arith Add (expertLinear plans r w none x) b
        else
        if w.Shape.Length <> 3 || b.Shape.Length <> 2 || x.Shape.Length <> 2 || x.Shape.[0] <> r.Count
           || w.Shape.[0] <> r.TileExperts || b.Shape.[0] <> r.TileExperts || x.Shape.[1] <> w.Shape.[1] || b.Shape.[1] <> w.Shape.[2] then
            invalidArg "x" $"expertLinear needs W [E; in; out], b [E; out] or [out], x [n; in] with E = {r.TileExperts}, n = {r.Count}; got %A{w.Shape}, %A{b.Shape}, %A{x.Shape}"
        let p = plans.GetValue(r, fun r -> ExpertLinear.plan (routingOf r))
        let experts, inW, outW = w.Shape.[0], w.Shape.[1], w.Shape.[2]
        let y = ExpertLinear.forward p w.Data b.Data x.Data inW outW
        let vjp (g: float[]) (needs: bool[]) =
            [| when' needs.[0] (fun () -> ExpertLinear.gradWeights p experts x.Data g inW outW)
               when' needs.[1] (fun () -> ExpertLinear.gradBias p experts g outW)
               when' needs.[2] (fun () -> ExpertLinear.gradInput p experts w.Data g inW outW) |]
        Tape.record [| w; b; x |] y [| r.Count; outW |] vjp

    /// Rows of a table [cells; C] blended by a routing: y_j = sum_k w_jk T[e_jk]. The VJP scatter-adds w_jk g_j
    /// into row e_jk of the table's gradient.
    let interpolate (routed: Routed<Tensor>) (table: Tensor) : Tensor =
        let r = routingOf routed
        if table.Shape.Length <> 2 || table.Shape.[0] <> r.TileExperts then
            invalidArg "table" $"interpolate needs a table [{r.TileExperts}; C], got %A{table.Shape}"
        let c = table.Shape.[1]
        let y = Array.zeroCreate (r.Count * c)
        for j in 0 .. r.Count - 1 do
            let target = Span<float>(y, j * c, c)
            for k in 0 .. r.K - 1 do
                let e, w = r.Experts.[j * r.K + k], r.Weights.[j * r.K + k]
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(ReadOnlySpan<float>(table.Data, e * c, c), w, target, target)
        let vjp (g: float[]) (needs: bool[]) =
            [| when' needs.[0] (fun () ->
                let dt = Array.zeroCreate table.Data.Length
                for j in 0 .. r.Count - 1 do
                    for k in 0 .. r.K - 1 do
                        let e, w = r.Experts.[j * r.K + k], r.Weights.[j * r.K + k]
                        let target = Span<float>(dt, e * c, c)
                        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(ReadOnlySpan<float>(g, j * c, c), w, target, target)
                dt) |]
        Tape.record [| table |] y [| r.Count; c |] vjp

    /// Rows of x [n; ...] at integer indices; the VJP scatter-adds g's rows back.
    let gatherRows (x: Tensor) (index: Tensor) : Tensor =
        let rows = index.Data |> Array.map int
        let inner = Shape.size x.Shape / max 1 x.Shape.[0]
        let data = Array.zeroCreate (rows.Length * inner)
        rows |> Array.iteri (fun j r -> Array.blit x.Data (r * inner) data (j * inner) inner)
        let vjp (g: float[]) (needs: bool[]) =
            [| when' needs.[0] (fun () ->
                let dx = Array.zeroCreate x.Data.Length
                rows |> Array.iteri (fun j r -> for i in 0 .. inner - 1 do dx.[r * inner + i] <- dx.[r * inner + i] + g.[j * inner + i])
                dx)
               None |]
        Tape.record [| x; index |] data (Array.append [| rows.Length |] x.Shape.[1..]) vjp

    /// Value of f and its gradients with respect to args: f runs on fresh leaves of a new tape, then the tape
    /// is walked back from f's scalar output.
    let valueAndGrad (f: Tensor list -> Tensor) (args: Tensor list) : float * Tensor list =
        let tape = Tape.create ()
        let leaves = args |> List.map (Tape.leaf tape)
        let y = f leaves
        if y.Data.Length <> 1 then invalidArg "f" $"valueAndGrad needs a scalar output, got shape %A{y.Shape}"
        let grads = Tape.backward y
        let gradOf (l: Tensor) =
            match l.Trace with
            | Some tr when tr.Slot < grads.Length && grads.[tr.Slot].IsSome -> Tape.constant grads.[tr.Slot].Value l.Shape
            | _ -> Tape.constant (Array.zeroCreate l.Data.Length) l.Shape
        y.Data.[0], leaves |> List.map gradOf
