namespace LoE.Core.Reference

open System.Numerics

/// Matrix-product kernels on row subsets, so the position-dependent layer multiplies each expert's coordinates
/// in place (through their row indices) without gathering or scattering copies. Register blocking (4 rows × 2
/// SIMD vectors of accumulators) keeps the fused multiply-adds fed from registers rather than memory.
module Gemm =
    let private lanes = Vector<float>.Count

    let inline private fma (x: Vector<float>) (y: Vector<float>) (acc: Vector<float>) = Vector.FusedMultiplyAdd(x, y, acc)

    let inline private put (c: float[]) (off: int) (v: Vector<float>) (s: float) (accumulate: bool) =
        let v = v * s
        (if accumulate then v + Vector<float>(c, off) else v).CopyTo(c, off)

    /// For each row j = rows[r], r in [r0, r1): c[j] (+)= s_j (bias + a[j] B), with a as [_; k], B the [k; m]
    /// matrix at b[bOff ..], c as [_; m]; bias = (array, offset) of m values, s_j = scale[j] (1 without scale).
    let rowsTimes (a: float[]) (k: int) (rows: int[]) (r0: int) (r1: int) (b: float[]) (bOff: int) (m: int)
                  (bias: (float[] * int) voption) (scale: float[] voption) (c: float[]) (accumulate: bool) =
        let w = 2 * lanes
        let biasArr, biasOff, hasBias = match bias with ValueSome(arr, off) -> arr, off, true | ValueNone -> [||], 0, false
        let scaleArr, hasScale = match scale with ValueSome s -> s, true | ValueNone -> [||], false
        let inline scaleOf j = if hasScale then scaleArr.[j] else 1.0
        let inline biasVec col = if hasBias then Vector<float>(biasArr, biasOff + col) else Vector<float>.Zero
        // One output element, for the columns beyond the last full block.
        let cell j col =
            let mutable acc = if hasBias then biasArr.[biasOff + col] else 0.0
            let ao = j * k
            for kk in 0 .. k - 1 do acc <- acc + a.[ao + kk] * b.[bOff + kk * m + col]
            let v = acc * scaleOf j
            let o = j * m + col
            c.[o] <- if accumulate then c.[o] + v else v
        let mutable r = r0
        while r + 4 <= r1 do
            let j0, j1, j2, j3 = rows.[r], rows.[r + 1], rows.[r + 2], rows.[r + 3]
            let a0, a1, a2, a3 = j0 * k, j1 * k, j2 * k, j3 * k
            let mutable col = 0
            while col + w <= m do
                let init0, init1 = biasVec col, biasVec (col + lanes)
                let mutable c00 = init0
                let mutable c01 = init1
                let mutable c10 = init0
                let mutable c11 = init1
                let mutable c20 = init0
                let mutable c21 = init1
                let mutable c30 = init0
                let mutable c31 = init1
                let mutable bo = bOff + col
                for kk in 0 .. k - 1 do
                    let b0 = Vector<float>(b, bo)
                    let b1 = Vector<float>(b, bo + lanes)
                    let x0 = Vector<float>(a.[a0 + kk])
                    c00 <- fma x0 b0 c00
                    c01 <- fma x0 b1 c01
                    let x1 = Vector<float>(a.[a1 + kk])
                    c10 <- fma x1 b0 c10
                    c11 <- fma x1 b1 c11
                    let x2 = Vector<float>(a.[a2 + kk])
                    c20 <- fma x2 b0 c20
                    c21 <- fma x2 b1 c21
                    let x3 = Vector<float>(a.[a3 + kk])
                    c30 <- fma x3 b0 c30
                    c31 <- fma x3 b1 c31
                    bo <- bo + m
                put c (j0 * m + col) c00 (scaleOf j0) accumulate
                put c (j0 * m + col + lanes) c01 (scaleOf j0) accumulate
                put c (j1 * m + col) c10 (scaleOf j1) accumulate
                put c (j1 * m + col + lanes) c11 (scaleOf j1) accumulate
                put c (j2 * m + col) c20 (scaleOf j2) accumulate
                put c (j2 * m + col + lanes) c21 (scaleOf j2) accumulate
                put c (j3 * m + col) c30 (scaleOf j3) accumulate
                put c (j3 * m + col + lanes) c31 (scaleOf j3) accumulate
                col <- col + w
            while col < m do
                cell j0 col
                cell j1 col
                cell j2 col
                cell j3 col
                col <- col + 1
            r <- r + 4
        // The last rows of the range, one at a time.
        while r < r1 do
            let j = rows.[r]
            let ao = j * k
            let mutable col = 0
            while col + w <= m do
                let mutable c0 = biasVec col
                let mutable c1 = biasVec (col + lanes)
                let mutable bo = bOff + col
                for kk in 0 .. k - 1 do
                    let x = Vector<float>(a.[ao + kk])
                    c0 <- fma x (Vector<float>(b, bo)) c0
                    c1 <- fma x (Vector<float>(b, bo + lanes)) c1
                    bo <- bo + m
                put c (j * m + col) c0 (scaleOf j) accumulate
                put c (j * m + col + lanes) c1 (scaleOf j) accumulate
                col <- col + w
            while col < m do
                cell j col
                col <- col + 1
            r <- r + 1

    /// Rows this many at a time, so the rows of a and g a tile reads stay in cache while all tiles use them.
    let private rowBlock = 256

    /// C[i] += sum over r in [r0, r1) of s_j a[j, i] g[j], j = rows[r], for the rows i in [i0, i1) of C, the
    /// [k; m] matrix at c[cOff ..]; a is [_; k], g is [_; m], s_j = scale[j] (1 without scale). This is aᵀ g
    /// over a subset of rows: the weight gradient of a layer.
    let transposedTimes (a: float[]) (k: int) (rows: int[]) (r0: int) (r1: int) (scale: float[] voption)
                        (g: float[]) (m: int) (c: float[]) (cOff: int) (i0: int) (i1: int) =
        let w = 2 * lanes
        let scaleArr, hasScale = match scale with ValueSome s -> s, true | ValueNone -> [||], false
        let inline scaleOf j = if hasScale then scaleArr.[j] else 1.0
        let cell rb re i col =
            let mutable acc = 0.0
            for r in rb .. re - 1 do
                let j = rows.[r]
                acc <- acc + scaleOf j * a.[j * k + i] * g.[j * m + col]
            c.[cOff + i * m + col] <- c.[cOff + i * m + col] + acc
        let mutable rb = r0
        while rb < r1 do
            let re = min r1 (rb + rowBlock)
            let mutable i = i0
            while i + 4 <= i1 do
                let mutable col = 0
                while col + w <= m do
                    let o0 = cOff + i * m + col
                    let o1, o2, o3 = o0 + m, o0 + 2 * m, o0 + 3 * m
                    let mutable c00 = Vector<float>(c, o0)
                    let mutable c01 = Vector<float>(c, o0 + lanes)
                    let mutable c10 = Vector<float>(c, o1)
                    let mutable c11 = Vector<float>(c, o1 + lanes)
                    let mutable c20 = Vector<float>(c, o2)
                    let mutable c21 = Vector<float>(c, o2 + lanes)
                    let mutable c30 = Vector<float>(c, o3)
                    let mutable c31 = Vector<float>(c, o3 + lanes)
                    for r in rb .. re - 1 do
                        let j = rows.[r]
                        let s = scaleOf j
                        let ao = j * k + i
                        let go = j * m + col
                        let g0 = Vector<float>(g, go)
                        let g1 = Vector<float>(g, go + lanes)
                        let x0 = Vector<float>(s * a.[ao])
                        c00 <- fma x0 g0 c00
                        c01 <- fma x0 g1 c01
                        let x1 = Vector<float>(s * a.[ao + 1])
                        c10 <- fma x1 g0 c10
                        c11 <- fma x1 g1 c11
                        let x2 = Vector<float>(s * a.[ao + 2])
                        c20 <- fma x2 g0 c20
                        c21 <- fma x2 g1 c21
                        let x3 = Vector<float>(s * a.[ao + 3])
                        c30 <- fma x3 g0 c30
                        c31 <- fma x3 g1 c31
                    c00.CopyTo(c, o0)
                    c01.CopyTo(c, o0 + lanes)
                    c10.CopyTo(c, o1)
                    c11.CopyTo(c, o1 + lanes)
                    c20.CopyTo(c, o2)
                    c21.CopyTo(c, o2 + lanes)
                    c30.CopyTo(c, o3)
                    c31.CopyTo(c, o3 + lanes)
                    col <- col + w
                while col < m do
                    for ii in i .. i + 3 do cell rb re ii col
                    col <- col + 1
                i <- i + 4
            while i < i1 do
                let mutable col = 0
                while col + w <= m do
                    let o = cOff + i * m + col
                    let mutable c0 = Vector<float>(c, o)
                    let mutable c1 = Vector<float>(c, o + lanes)
                    for r in rb .. re - 1 do
                        let j = rows.[r]
                        let x = Vector<float>(scaleOf j * a.[j * k + i])
                        c0 <- fma x (Vector<float>(g, j * m + col)) c0
                        c1 <- fma x (Vector<float>(g, j * m + col + lanes)) c1
                    c0.CopyTo(c, o)
                    c1.CopyTo(c, o + lanes)
                    col <- col + w
                while col < m do
                    cell rb re i col
                    col <- col + 1
                i <- i + 1
            rb <- re
