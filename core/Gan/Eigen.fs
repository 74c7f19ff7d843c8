namespace LoE.Core.Gan

open System

/// Symmetric eigendecomposition in float64: Householder reduction to tridiagonal form, then the implicit QL
/// algorithm with Wilkinson-like shifts (EISPACK's tred2 and tql2, as in Wilkinson & Reinsch's Handbook). Both
/// steps are backward stable, so eigenvalues are accurate to rounding relative to the matrix's norm, including the
/// rank-deficient covariances of few samples; O(n³), a 512 × 512 covariance (ResNet-18's features) in about a
/// second, where cyclic Jacobi (our first solver) took over 40 s.
module Eigen =
    /// Reduces the symmetric matrix in v (row-major, n × n) to tridiagonal form: on return d holds the diagonal,
    /// e the subdiagonal in e.[1 ..], and v the orthogonal transformation.
    let private tridiagonalise (n: int) (v: float[]) (d: float[]) (e: float[]) =
        for j in 0 .. n - 1 do d.[j] <- v.[(n - 1) * n + j]
        for i in n - 1 .. -1 .. 1 do
            // Householder reflection zeroing row i left of its subdiagonal, scaled against under- and overflow.
            let mutable scale = 0.0
            let mutable h = 0.0
            for k in 0 .. i - 1 do scale <- scale + abs d.[k]
            if scale = 0.0 then
                e.[i] <- d.[i - 1]
                for j in 0 .. i - 1 do
                    d.[j] <- v.[(i - 1) * n + j]
                    v.[i * n + j] <- 0.0
                    v.[j * n + i] <- 0.0
            else
                for k in 0 .. i - 1 do
                    d.[k] <- d.[k] / scale
                    h <- h + d.[k] * d.[k]
                let mutable f = d.[i - 1]
                let mutable g = sqrt h
                if f > 0.0 then g <- -g
                e.[i] <- scale * g
                h <- h - f * g
                d.[i - 1] <- f - g
                for j in 0 .. i - 1 do e.[j] <- 0.0
                // p = A u / h, accumulated in e, using the lower triangle held in v.
                for j in 0 .. i - 1 do
                    f <- d.[j]
                    v.[j * n + i] <- f
                    g <- e.[j] + v.[j * n + j] * f
                    for k in j + 1 .. i - 1 do
                        g <- g + v.[k * n + j] * d.[k]
                        e.[k] <- e.[k] + v.[k * n + j] * f
                    e.[j] <- g
                f <- 0.0
                for j in 0 .. i - 1 do
                    e.[j] <- e.[j] / h
                    f <- f + e.[j] * d.[j]
                let hh = f / (h + h)
                for j in 0 .. i - 1 do e.[j] <- e.[j] - hh * d.[j]
                // A ← A − u qᵀ − q uᵀ on the lower triangle.
                for j in 0 .. i - 1 do
                    f <- d.[j]
                    g <- e.[j]
                    for k in j .. i - 1 do v.[k * n + j] <- v.[k * n + j] - (f * e.[k] + g * d.[k])
                    d.[j] <- v.[(i - 1) * n + j]
                    v.[i * n + j] <- 0.0
            d.[i] <- h
        // Accumulate the reflections into v.
        for i in 0 .. n - 2 do
            v.[(n - 1) * n + i] <- v.[i * n + i]
            v.[i * n + i] <- 1.0
            let h = d.[i + 1]
            if h <> 0.0 then
                for k in 0 .. i do d.[k] <- v.[k * n + i + 1] / h
                for j in 0 .. i do
                    let mutable g = 0.0
                    for k in 0 .. i do g <- g + v.[k * n + i + 1] * v.[k * n + j]
                    for k in 0 .. i do v.[k * n + j] <- v.[k * n + j] - g * d.[k]
            for k in 0 .. i do v.[k * n + i + 1] <- 0.0
        for j in 0 .. n - 1 do
            d.[j] <- v.[(n - 1) * n + j]
            v.[(n - 1) * n + j] <- 0.0
        v.[(n - 1) * n + n - 1] <- 1.0
        e.[0] <- 0.0

    /// Diagonalises the tridiagonal (d, e) by implicit QL steps, rotating v's columns along: on return d holds
    /// the eigenvalues and column k of v the eigenvector of d.[k].
    let private diagonalise (n: int) (v: float[]) (d: float[]) (e: float[]) =
        for i in 1 .. n - 1 do e.[i - 1] <- e.[i]
        e.[n - 1] <- 0.0
        let mutable f = 0.0
        let mutable tst1 = 0.0
        let eps = Math.Pow(2.0, -52.0)
        for l in 0 .. n - 1 do
            tst1 <- max tst1 (abs d.[l] + abs e.[l])
            // The first negligible subdiagonal element at or after l splits the matrix there.
            let mutable m = l
            while m < n - 1 && abs e.[m] > eps * tst1 do m <- m + 1
            if m > l then
                let mutable iterations = 0
                let mutable converged = false
                while not converged do
                    iterations <- iterations + 1
                    if iterations > 60 then failwith "Eigen.symmetric: the QL iteration did not converge (is the matrix finite?)"
                    // The shift: the eigenvalue of the leading 2 × 2 block nearer d.[l].
                    let mutable g = d.[l]
                    let mutable p = (d.[l + 1] - g) / (2.0 * e.[l])
                    let mutable r = Math.Sqrt(p * p + 1.0)
                    if p < 0.0 then r <- -r
                    d.[l] <- e.[l] / (p + r)
                    d.[l + 1] <- e.[l] * (p + r)
                    let dl1 = d.[l + 1]
                    let mutable h = g - d.[l]
                    for i in l + 2 .. n - 1 do d.[i] <- d.[i] - h
                    f <- f + h
                    // The implicit QL sweep from m up to l by Givens rotations.
                    p <- d.[m]
                    let mutable c = 1.0
                    let mutable c2 = c
                    let mutable c3 = c
                    let el1 = e.[l + 1]
                    let mutable s = 0.0
                    let mutable s2 = 0.0
                    for i in m - 1 .. -1 .. l do
                        c3 <- c2
                        c2 <- c
                        s2 <- s
                        g <- c * e.[i]
                        h <- c * p
                        r <- Math.Sqrt(p * p + e.[i] * e.[i])
                        e.[i + 1] <- s * r
                        s <- e.[i] / r
                        c <- p / r
                        p <- c * d.[i] - s * g
                        d.[i + 1] <- h + s * (c * g + s * d.[i])
                        for k in 0 .. n - 1 do
                            let vk1 = v.[k * n + i + 1]
                            v.[k * n + i + 1] <- s * v.[k * n + i] + c * vk1
                            v.[k * n + i] <- c * v.[k * n + i] - s * vk1
                    p <- -s * s2 * c3 * el1 * e.[l] / dl1
                    e.[l] <- s * p
                    d.[l] <- c * p
                    converged <- abs e.[l] <= eps * tst1
            d.[l] <- d.[l] + f
            e.[l] <- 0.0

    /// Eigenvalues (ascending) and eigenvectors (column k of the row-major n × n result belongs to value k) of a
    /// symmetric matrix given row-major; only the matrix's symmetric part is read.
    let symmetric (n: int) (m: float[]) : float[] * float[] =
        if m.Length <> n * n then invalidArg "m" $"{m.Length} values do not make a {n} × {n} matrix"
        if n = 0 then [||], [||]
        else
            let v = Array.init (n * n) (fun k -> let i, j = k / n, k % n in 0.5 * (m.[i * n + j] + m.[j * n + i]))
            let d, e = Array.zeroCreate n, Array.zeroCreate n
            tridiagonalise n v d e
            diagonalise n v d e
            let order = Array.init n id |> Array.sortBy (fun i -> d.[i])
            order |> Array.map (fun i -> d.[i]),
            Array.init (n * n) (fun k -> let r, c = k / n, k % n in v.[r * n + order.[c]])

    /// Row-major product of n × n matrices.
    let multiply (n: int) (x: float[]) (y: float[]) : float[] =
        let out = Array.zeroCreate (n * n)
        for i in 0 .. n - 1 do
            for k in 0 .. n - 1 do
                let xik = x.[i * n + k]
                if xik <> 0.0 then
                    for j in 0 .. n - 1 do out.[i * n + j] <- out.[i * n + j] + xik * y.[k * n + j]
        out

    /// V f(Λ) Vᵀ of a symmetric matrix: a function applied to its eigenvalues.
    let private apply (n: int) (f: float -> float) (m: float[]) : float[] =
        let values, vectors = symmetric n m
        let fv = values |> Array.map f
        Array.init (n * n) (fun k ->
            let i, j = k / n, k % n
            let mutable s = 0.0
            for e in 0 .. n - 1 do s <- s + vectors.[i * n + e] * fv.[e] * vectors.[j * n + e]
            s)

    /// The symmetric positive semi-definite square root of a symmetric PSD matrix; eigenvalues that rounding made
    /// slightly negative count as 0.
    let sqrtPsd (n: int) (m: float[]) : float[] = apply n (fun x -> sqrt (max 0.0 x)) m
