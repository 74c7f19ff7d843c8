namespace LoE.Core.Gan

open System

/// Symmetric eigendecomposition by cyclic Jacobi rotations, in float64. Fréchet distances and spectral-norm checks
/// need it for matrices of a few hundred rows at most; Jacobi is slow for large ones but accurate to rounding for
/// any symmetric matrix, including the rank-deficient covariances of few samples.
module Eigen =
    /// Eigenvalues (ascending) and eigenvectors (column k of the row-major n × n result belongs to value k) of a
    /// symmetric matrix given row-major; only the matrix's symmetric part is read.
    let symmetric (n: int) (m: float[]) : float[] * float[] =
        if m.Length <> n * n then invalidArg "m" $"{m.Length} values do not make a {n} × {n} matrix"
        let a = Array.init (n * n) (fun k -> let i, j = k / n, k % n in 0.5 * (m.[i * n + j] + m.[j * n + i]))
        let v = Array.init (n * n) (fun k -> if k / n = k % n then 1.0 else 0.0)
        let offNorm () =
            let mutable s = 0.0
            for i in 0 .. n - 1 do
                for j in 0 .. n - 1 do
                    if i <> j then s <- s + a.[i * n + j] * a.[i * n + j]
            s
        let scale = max 1e-300 (a |> Array.sumBy (fun x -> x * x))
        let mutable sweep = 0
        while sweep < 100 && offNorm () > 1e-30 * scale do
            for p in 0 .. n - 2 do
                for q in p + 1 .. n - 1 do
                    let apq = a.[p * n + q]
                    if apq <> 0.0 then
                        // The rotation that zeroes a_pq (Golub & Van Loan, the stable choice of tan θ).
                        let theta = (a.[q * n + q] - a.[p * n + p]) / (2.0 * apq)
                        let t = float (sign theta |> fun s -> if s = 0 then 1 else s) / (abs theta + sqrt (theta * theta + 1.0))
                        let c = 1.0 / sqrt (t * t + 1.0)
                        let s = t * c
                        for k in 0 .. n - 1 do
                            let akp, akq = a.[k * n + p], a.[k * n + q]
                            a.[k * n + p] <- c * akp - s * akq
                            a.[k * n + q] <- s * akp + c * akq
                        for k in 0 .. n - 1 do
                            let apk, aqk = a.[p * n + k], a.[q * n + k]
                            a.[p * n + k] <- c * apk - s * aqk
                            a.[q * n + k] <- s * apk + c * aqk
                        for k in 0 .. n - 1 do
                            let vkp, vkq = v.[k * n + p], v.[k * n + q]
                            v.[k * n + p] <- c * vkp - s * vkq
                            v.[k * n + q] <- s * vkp + c * vkq
            sweep <- sweep + 1
        let order = Array.init n id |> Array.sortBy (fun i -> a.[i * n + i])
        order |> Array.map (fun i -> a.[i * n + i]),
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
