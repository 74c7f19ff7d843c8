namespace LoE.Core.Reference

open System
open System.Numerics.Tensors
open LoE.Core

/// The position-dependent linear layer on plain arrays: y_j = sum_k w_jk (x_j W[e_jk] + b[e_jk]), computed per
/// corner k and expert e as one product over the coordinates routed there (never a weight matrix per coordinate,
/// never all experts for every coordinate), and its vector-Jacobian products for W, b and x.
module ExpertLinear =
    /// Rows per unit of parallel work.
    let private block = 64

    /// The routing grouped for the kernels; made once per routing and reused while the coordinates stay the same.
    type Plan =
        { Count: int
          /// Per corner, per expert: the coordinates routed there.
          Rows: int[][][]
          /// Per corner: the N-linear weight of every coordinate (None for nearest, where it is 1).
          Weights: float[] voption[]
          /// Per corner: (expert, first, end) ranges of at most `block` rows of Rows.[corner].[expert].
          Blocks: struct (int * int * int)[][] }

    let plan (r: Routing) : Plan =
        let rows =
            Array.init r.K (fun c ->
                let groups = Array.init r.TileExperts (fun _ -> ResizeArray<int>())
                for j in 0 .. r.Count - 1 do groups.[r.Experts.[j * r.K + c]].Add j
                groups |> Array.map (fun g -> g.ToArray()))
        { Count = r.Count
          Rows = rows
          Weights =
            Array.init r.K (fun c ->
                if r.K = 1 then ValueNone else ValueSome(Array.init r.Count (fun j -> r.Weights.[j * r.K + c])))
          Blocks =
            rows |> Array.map (fun perExpert ->
                [| for e in 0 .. perExpert.Length - 1 do
                     for first in 0 .. block .. perExpert.[e].Length - 1 do
                         struct (e, first, min perExpert.[e].Length (first + block)) |]) }

    let private corners (p: Plan) = p.Rows.Length

    /// Per coordinate j, src[j] times its expert's matrix (src [n; srcW], mats [E; srcW; dstW]), weighted and plus
    /// the expert's bias when given, summed over corners: [n; dstW]. Corners go one after another: within a corner
    /// every coordinate has one expert, so blocks write disjoint rows.
    let private byExpert (p: Plan) (src: float[]) (srcW: int) (mats: float[]) (dstW: int) (bias: float[] voption) : float[] =
        let y = Array.zeroCreate (p.Count * dstW)
        let work = 2L * int64 p.Count * int64 srcW * int64 dstW
        for c in 0 .. corners p - 1 do
            let blocks = p.Blocks.[c]
            Kernels.forEach blocks.Length work (fun t ->
                let struct (e, first, last) = blocks.[t]
                Gemm.rowsTimes src srcW p.Rows.[c].[e] first last mats (e * srcW * dstW) dstW
                               (bias |> ValueOption.map (fun b -> b, e * dstW)) p.Weights.[c] y (c > 0))
        y

    /// The layer's output [n; out] from W [E; in; out], b [E; out], x [n; in].
    let forward (p: Plan) (w: float[]) (b: float[]) (x: float[]) (inW: int) (outW: int) : float[] =
        byExpert p x inW w outW (ValueSome b)

    /// dL/dW [E; in; out]: per expert, the sum over corners of xᵀ (w ∘ g) over its coordinates.
    let gradWeights (p: Plan) (experts: int) (x: float[]) (g: float[]) (inW: int) (outW: int) : float[] =
        let dw = Array.zeroCreate (experts * inW * outW)
        let bands = (inW + 3) / 4
        Kernels.forEach (experts * bands) (2L * int64 p.Count * int64 inW * int64 outW) (fun t ->
            let e, band = t / bands, t % bands
            let i0 = band * 4
            for c in 0 .. corners p - 1 do
                let rows = p.Rows.[c].[e]
                Gemm.transposedTimes x inW rows 0 rows.Length p.Weights.[c] g outW dw (e * inW * outW) i0 (min inW (i0 + 4)))
        dw

    /// dL/db [E; out]: per expert, the weighted sum of the output gradients of its coordinates.
    let gradBias (p: Plan) (experts: int) (g: float[]) (outW: int) : float[] =
        let db = Array.zeroCreate (experts * outW)
        Kernels.forEach experts (int64 p.Count * int64 outW) (fun e ->
            let current = ReadOnlySpan<float>(db, e * outW, outW)
            let target = Span<float>(db, e * outW, outW)
            for c in 0 .. corners p - 1 do
                for j in p.Rows.[c].[e] do
                    let row = ReadOnlySpan<float>(g, j * outW, outW)
                    match p.Weights.[c] with
                    | ValueSome s -> TensorPrimitives.MultiplyAdd(row, s.[j], current, target)
                    | ValueNone -> TensorPrimitives.Add(row, current, target))
        db

    /// dL/dx [n; in]: per corner, w ∘ g times the transposed weights of each coordinate's expert.
    let gradInput (p: Plan) (experts: int) (w: float[]) (g: float[]) (inW: int) (outW: int) : float[] =
        byExpert p g outW (Kernels.transpose w experts inW outW) inW ValueNone
