namespace LoE.Core.Reference

/// One recorded operation: the tape slots of its inputs (-1 for a constant) and its vector-Jacobian product,
/// which maps the gradient of the output and which inputs need a gradient to the inputs' gradients.
/// Leaves are steps without inputs.
[<NoEquality; NoComparison>]
type Step = { Inputs: int[]; Vjp: float[] -> bool[] -> float[] option[] }

/// The operations recorded while one function is evaluated, in evaluation order (a topological order, since an
/// op is recorded after its inputs exist). Reverse-mode differentiation walks it backwards.
[<ReferenceEquality>]
type Tape = { Steps: ResizeArray<Step> }

/// Where a tensor sits on a tape. The tape travels with the tensors, so there is no ambient recording state:
/// ops record exactly when one of their inputs is traced, from any thread.
[<NoEquality; NoComparison>]
type Trace = { Tape: Tape; Slot: int }

/// An immutable float64 tensor: row-major data and its shape ([||] for a scalar), and its place on a tape
/// (None for constants, which get no gradient).
[<NoEquality; NoComparison>]
type Tensor = { Data: float[]; Shape: int[]; Trace: Trace option }

/// Shapes and NumPy broadcasting.
module Shape =
    let size (shape: int[]) = Array.fold (*) 1 shape

    /// The broadcast shape of two operands (NumPy rules: align trailing axes; 1 stretches).
    let broadcast (a: int[]) (b: int[]) : int[] =
        let r = max a.Length b.Length
        let dim (s: int[]) i = if i < r - s.Length then 1 else s.[i - (r - s.Length)]
        Array.init r (fun i ->
            let da, db = dim a i, dim b i
            if da = db || db = 1 then da
            elif da = 1 then db
            else invalidArg "shape" $"shapes %A{a} and %A{b} do not broadcast")

    /// Element strides of an operand of `shape` read as the broadcast `outShape`: 0 along stretched axes.
    let strides (shape: int[]) (outShape: int[]) : int[] =
        let r = outShape.Length
        let result = Array.zeroCreate r
        let mutable s = 1
        for i in shape.Length - 1 .. -1 .. 0 do
            result.[i + r - shape.Length] <- if shape.[i] = 1 then 0 else s
            s <- s * shape.[i]
        result

    /// Length of the last axis (1 for a scalar): the unit the broadcasting kernels work on.
    let inner (shape: int[]) = if shape.Length = 0 then 1 else shape.[shape.Length - 1]

    /// For every row (all axes but the last) of `outShape`, the offset of that row in an operand with `strides`.
    let rowOffsets (strides: int[]) (outShape: int[]) : int[] =
        let r = outShape.Length
        if r <= 1 then [| 0 |]
        else
            let rows = size outShape.[.. r - 2]
            let offsets = Array.zeroCreate rows
            let index = Array.zeroCreate (r - 1)
            let mutable offset = 0
            for o in 0 .. rows - 1 do
                offsets.[o] <- offset
                // Odometer increment of the row index, keeping the offset in step.
                let mutable i = r - 2
                let mutable carry = true
                while carry && i >= 0 do
                    index.[i] <- index.[i] + 1
                    offset <- offset + strides.[i]
                    if index.[i] = outShape.[i] then
                        offset <- offset - outShape.[i] * strides.[i]
                        index.[i] <- 0
                        i <- i - 1
                    else carry <- false
            offsets
