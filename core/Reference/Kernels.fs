namespace LoE.Core.Reference

open System
open System.Numerics
open System.Numerics.Tensors
open System.Threading.Tasks

/// Element-wise arithmetic of two operands.
type Arith = Add | Sub | Mul | Div

/// Element-wise functions of one operand.
type Unary =
    | Scale of float
    | Shift of float
    | Negate
    | Sqrt
    | Sin
    | Cos
    | LeakyRelu of slope: float

/// Numeric kernels over float64 arrays, with SIMD (TensorPrimitives, Vector<float>) and both cores
/// (Parallel.For over blocks). Every parallel block writes its own part of the output and sums are combined in
/// a fixed order, so results never depend on scheduling.
module Kernels =
    /// Below about this many floating-point operations a kernel stays on one core: forking costs more.
    let private parallelWork = 1 <<< 15

    /// Runs body(i) for i in [0, count), in parallel when the total work (in flops) is worth it.
    let forEach (count: int) (work: int64) (body: int -> unit) =
        if count <= 1 || work < int64 parallelWork then
            for i in 0 .. count - 1 do body i
        else Parallel.For(0, count, body) |> ignore

    /// Runs body(start, length) over contiguous chunks of [0, n), in parallel when n is large.
    let chunks (n: int) (body: int -> int -> unit) =
        if n < parallelWork then body 0 n
        else
            let parts = 2 * Environment.ProcessorCount
            let size = (n + parts - 1) / parts
            Parallel.For(0, parts, fun p ->
                let start = p * size
                let length = min size (n - start)
                if length > 0 then body start length) |> ignore

    let inline private ro (a: float[]) (start: int) (length: int) = ReadOnlySpan<float>(a, start, length)
    let inline private sp (a: float[]) (start: int) (length: int) = Span<float>(a, start, length)

    let private spanSpan op (x: ReadOnlySpan<float>) (y: ReadOnlySpan<float>) (d: Span<float>) =
        match op with
        | Add -> TensorPrimitives.Add(x, y, d)
        | Sub -> TensorPrimitives.Subtract(x, y, d)
        | Mul -> TensorPrimitives.Multiply(x, y, d)
        | Div -> TensorPrimitives.Divide(x, y, d)

    let private spanScalar op (x: ReadOnlySpan<float>) (y: float) (d: Span<float>) =
        match op with
        | Add -> TensorPrimitives.Add(x, y, d)
        | Sub -> TensorPrimitives.Subtract(x, y, d)
        | Mul -> TensorPrimitives.Multiply(x, y, d)
        | Div -> TensorPrimitives.Divide(x, y, d)

    let private scalarSpan op (x: float) (y: ReadOnlySpan<float>) (d: Span<float>) =
        match op with
        | Add -> TensorPrimitives.Add(y, x, d)
        | Sub -> TensorPrimitives.Subtract(x, y, d)
        | Mul -> TensorPrimitives.Multiply(y, x, d)
        | Div -> TensorPrimitives.Divide(x, y, d)

    let private scalarScalar op (x: float) (y: float) =
        match op with
        | Add -> x + y
        | Sub -> x - y
        | Mul -> x * y
        | Div -> x / y

    /// a op b with NumPy broadcasting: the output shape and data. Works row by row (last axis), where each
    /// operand is either a contiguous row or one stretched value; that covers [n;m]∘[m], [n;m]∘[n;1], scalars.
    let arith (op: Arith) (a: float[]) (aShape: int[]) (b: float[]) (bShape: int[]) : float[] * int[] =
        let outShape = Shape.broadcast aShape bShape
        let n = Shape.size outShape
        let out = Array.zeroCreate n
        if a.Length = n && b.Length = n then
            chunks n (fun s l -> spanSpan op (ro a s l) (ro b s l) (sp out s l))
        elif a.Length = n && b.Length = 1 then
            chunks n (fun s l -> spanScalar op (ro a s l) b.[0] (sp out s l))
        elif a.Length = 1 && b.Length = n then
            chunks n (fun s l -> scalarSpan op a.[0] (ro b s l) (sp out s l))
        elif n > 0 then
            let sa, sb = Shape.strides aShape outShape, Shape.strides bShape outShape
            let oa, ob = Shape.rowOffsets sa outShape, Shape.rowOffsets sb outShape
            let inner = Shape.inner outShape
            let ia, ib = sa.[sa.Length - 1], sb.[sb.Length - 1]
            let rows = oa.Length
            let block = max 1 (parallelWork / max 1 inner)
            forEach ((rows + block - 1) / block) (int64 n) (fun blk ->
                for o in blk * block .. min rows ((blk + 1) * block) - 1 do
                    let d = sp out (o * inner) inner
                    match ia <> 0, ib <> 0 with
                    | true, true -> spanSpan op (ro a oa.[o] inner) (ro b ob.[o] inner) d
                    | true, false -> spanScalar op (ro a oa.[o] inner) b.[ob.[o]] d
                    | false, true -> scalarSpan op a.[oa.[o]] (ro b ob.[o] inner) d
                    | false, false -> d.Fill(scalarScalar op a.[oa.[o]] b.[ob.[o]]))
        out, outShape

    /// Sum of all elements; chunk sums are added in chunk order.
    let sum (a: float[]) : float =
        if a.Length < parallelWork then TensorPrimitives.Sum(ReadOnlySpan<float>(a))
        else
            let parts = 2 * Environment.ProcessorCount
            let size = (a.Length + parts - 1) / parts
            let partial = Array.zeroCreate parts
            Parallel.For(0, parts, fun p ->
                let start = p * size
                let length = max 0 (min size (a.Length - start))
                partial.[p] <- TensorPrimitives.Sum(ro a start length)) |> ignore
            Array.fold (+) 0.0 partial

    /// The gradient g of a broadcast output (outShape) summed back onto an operand's shape. May return g itself.
    let reduceTo (g: float[]) (outShape: int[]) (shape: int[]) : float[] =
        let n = Shape.size shape
        if n = g.Length then g
        elif n = 1 then [| sum g |]
        else
            let s = Shape.strides shape outShape
            let offsets = Shape.rowOffsets s outShape
            let inner = Shape.inner outShape
            let result = Array.zeroCreate n
            // Sequential: several output rows add into the same operand row.
            if s.[s.Length - 1] <> 0 then
                for o in 0 .. offsets.Length - 1 do
                    TensorPrimitives.Add(ro result offsets.[o] inner, ro g (o * inner) inner, sp result offsets.[o] inner)
            else
                for o in 0 .. offsets.Length - 1 do
                    result.[offsets.[o]] <- result.[offsets.[o]] + TensorPrimitives.Sum(ro g (o * inner) inner)
            result

    let private lanes = Vector<float>.Count

    /// leaky_relu(x) = x for x > 0, slope * x otherwise (torch's convention at 0).
    let private leakyReluSpan (slope: float) (x: ReadOnlySpan<float>) (d: Span<float>) =
        let s = Vector<float>(slope)
        let mutable i = 0
        while i + lanes <= x.Length do
            let v = Vector<float>(x.Slice(i, lanes))
            Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<float>.Zero), v, v * s).CopyTo(d.Slice(i, lanes))
            i <- i + lanes
        while i < x.Length do
            d.[i] <- if x.[i] > 0.0 then x.[i] else slope * x.[i]
            i <- i + 1

    /// A fresh array op(a), element-wise.
    let unary (op: Unary) (a: float[]) : float[] =
        let out = Array.zeroCreate a.Length
        chunks a.Length (fun s l ->
            let x = ro a s l
            let d = sp out s l
            match op with
            | Scale c -> TensorPrimitives.Multiply(x, c, d)
            | Shift c -> TensorPrimitives.Add(x, c, d)
            | Negate -> TensorPrimitives.Negate(x, d)
            | Sqrt -> TensorPrimitives.Sqrt(x, d)
            | Sin -> TensorPrimitives.Sin(x, d)
            | Cos -> TensorPrimitives.Cos(x, d)
            | LeakyRelu slope -> leakyReluSpan slope x d)
        out

    /// The VJP of leaky_relu: g where x > 0, slope * g elsewhere (torch: the slope at 0 itself).
    let leakyReluVjp (slope: float) (x: float[]) (g: float[]) : float[] =
        let out = Array.zeroCreate x.Length
        chunks x.Length (fun start length ->
            let s = Vector<float>(slope)
            let mutable i = start
            while i + lanes <= start + length do
                let v = Vector<float>(g, i)
                Vector.ConditionalSelect(Vector.GreaterThan(Vector<float>(x, i), Vector<float>.Zero), v, v * s).CopyTo(out, i)
                i <- i + lanes
            while i < start + length do
                out.[i] <- if x.[i] > 0.0 then g.[i] else slope * g.[i]
                i <- i + 1)
        out

    /// target += source, in place.
    let addInto (target: float[]) (source: float[]) =
        chunks target.Length (fun s l -> TensorPrimitives.Add(ro target s l, ro source s l, sp target s l))

    /// [rows; cols] -> [cols; rows] of the block of `count` matrices starting at offset 0 (expert stacks).
    let transpose (a: float[]) (count: int) (rows: int) (cols: int) : float[] =
        let out = Array.zeroCreate a.Length
        for e in 0 .. count - 1 do
            let o = e * rows * cols
            for r in 0 .. rows - 1 do
                for c in 0 .. cols - 1 do
                    out.[o + c * rows + r] <- a.[o + r * cols + c]
        out
