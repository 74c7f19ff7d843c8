namespace LoE.Core.Gan

open System

/// Distances between two sets of feature vectors (rows of n × d, row-major): the Fréchet distance of the Gaussians
/// fitted to them (FID's formula, on whatever features it is given) and the kernel inception distance's estimator.
module Frechet =
    /// Mean (d) and unbiased covariance (d × d, row-major) of n rows of d features.
    let moments (d: int) (features: float[]) : float[] * float[] =
        let n = features.Length / d
        if n < 2 || features.Length <> n * d then invalidArg "features" $"moments need at least 2 rows of {d} features, got {features.Length} values"
        let mu = Array.init d (fun j -> (Seq.init n (fun i -> features.[i * d + j]) |> Seq.sum) / float n)
        let cov = Array.zeroCreate (d * d)
        for i in 0 .. n - 1 do
            for a in 0 .. d - 1 do
                let xa = features.[i * d + a] - mu.[a]
                for b in a .. d - 1 do cov.[a * d + b] <- cov.[a * d + b] + xa * (features.[i * d + b] - mu.[b])
        for a in 0 .. d - 1 do
            for b in a .. d - 1 do
                let c = cov.[a * d + b] / float (n - 1)
                cov.[a * d + b] <- c
                cov.[b * d + a] <- c
        mu, cov

    /// tr((Σ₁Σ₂)^½) as tr((√Σ₁ Σ₂ √Σ₁)^½): the inner matrix is symmetric PSD and has the same eigenvalues as
    /// Σ₁Σ₂, so a symmetric eigensolver gives the trace without the non-symmetric square root (scipy's sqrtm) whose
    /// imaginary rounding FID code has to discard.
    let traceSqrtProduct (d: int) (sigma1: float[]) (sigma2: float[]) : float =
        let r = Eigen.sqrtPsd d sigma1
        let inner = Eigen.multiply d (Eigen.multiply d r sigma2) r
        let values, _ = Eigen.symmetric d inner
        values |> Array.sumBy (fun x -> sqrt (max 0.0 x))

    /// ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^½) of two Gaussians in d dimensions.
    let ofGaussians (d: int) (mu1: float[]) (sigma1: float[]) (mu2: float[]) (sigma2: float[]) : float =
        let mean = Array.fold2 (fun s a b -> s + (a - b) * (a - b)) 0.0 mu1 mu2
        let trace (m: float[]) = Seq.init d (fun i -> m.[i * d + i]) |> Seq.sum
        mean + trace sigma1 + trace sigma2 - 2.0 * traceSqrtProduct d sigma1 sigma2

    /// The Fréchet distance between two feature sets (rows of d features, row-major).
    let distance (d: int) (features1: float[]) (features2: float[]) : float =
        let mu1, s1 = moments d features1
        let mu2, s2 = moments d features2
        ofGaussians d mu1 s1 mu2 s2

    /// k(x, y) = (xᵀy / d + 1)³, KID's kernel, of row i of x and row j of y (a SIMD dot product). It is symmetric to
    /// the bit: k(x, y) and k(y, x) add the same products in the same order.
    let private kernel (d: int) (x: float[]) (y: float[]) (i: int) (j: int) =
        let s = Numerics.Tensors.TensorPrimitives.Dot(ReadOnlySpan<float>(x, i * d, d), ReadOnlySpan<float>(y, j * d, d))
        let v = s / float d + 1.0
        v * v * v

    /// The unbiased estimator of MMD² between subsets `xs` and `ys` (equal counts m) of two sets, given the kernel
    /// within the first (kx), within the second (ky) and across (kxy): the means of k over distinct pairs within
    /// each subset, minus twice the mean over all cross pairs.
    let private mmdOf (kx: int -> int -> float) (ky: int -> int -> float) (kxy: int -> int -> float) (xs: int[]) (ys: int[]) : float =
        let m = xs.Length
        if m < 2 || ys.Length <> m then invalidArg "xs" "the unbiased MMD needs two subsets of the same size, at least 2"
        let mutable sxx, syy, sxy = 0.0, 0.0, 0.0
        for a in 0 .. m - 1 do
            // k is symmetric: each distinct pair within a set once, counted twice.
            for b in a + 1 .. m - 1 do
                sxx <- sxx + 2.0 * kx xs.[a] xs.[b]
                syy <- syy + 2.0 * ky ys.[a] ys.[b]
            for b in 0 .. m - 1 do sxy <- sxy + kxy xs.[a] ys.[b]
        let pairs = float m * float (m - 1)
        sxx / pairs + syy / pairs - 2.0 * sxy / (float m * float m)

    /// The unbiased MMD² with KID's kernel between rows `xs` of x and rows `ys` of y (rows of d features).
    let mmdUnbiased (d: int) (x: float[]) (xs: int[]) (y: float[]) (ys: int[]) : float =
        mmdOf (kernel d x x) (kernel d y y) (kernel d x y) xs ys

    /// k between every row of x and every row of y, looked up from a table made once; within one set
    /// (`symmetric`) each pair is computed once and mirrored.
    let private tabulated (d: int) (x: float[]) (y: float[]) (symmetric: bool) : int -> int -> float =
        let nx, ny = x.Length / d, y.Length / d
        let t = Array.zeroCreate (nx * ny)
        for i in 0 .. nx - 1 do
            for j in (if symmetric then i else 0) .. ny - 1 do
                let v = kernel d x y i j
                t.[i * ny + j] <- v
                if symmetric then t.[j * ny + i] <- v
        fun i j -> t.[i * ny + j]

    /// Kernel-table entries (float64) KID may hold: about 100 MB, three tables of 2048 rows a set. Subsets revisit
    /// the same pairs: gan-quick's 100 subsets of 1000 from 2000 + 2000 rows evaluate k 2·10⁸ times, its tables
    /// 8·10⁶ times (a KID in 5.5 s instead of 18). Larger sets (the paper's 50k) compute k within each subset.
    let kernelTableLimit = 3L * 2048L * 2048L

    /// KID (below), tabulating the kernel when the three tables have at most `tableLimit` entries: the same
    /// values, to the bit, and summed in the same order either way.
    let kidWithin (tableLimit: int64) (d: int) (subsets: int) (subsetSize: int) (seed: int) (features1: float[]) (features2: float[]) : float * float =
        let n1, n2 = features1.Length / d, features2.Length / d
        let m = min subsetSize (min n1 n2)
        let rng = Random(seed)
        let pick n = (Array.init n id |> Array.randomShuffleWith rng).[.. m - 1]
        let mmd =
            if int64 n1 * int64 n1 + int64 n2 * int64 n2 + int64 n1 * int64 n2 <= tableLimit then
                mmdOf (tabulated d features1 features1 true) (tabulated d features2 features2 true) (tabulated d features1 features2 false)
            else fun xs ys -> mmdUnbiased d features1 xs features2 ys
        let values = Array.init subsets (fun _ -> mmd (pick n1) (pick n2))
        let mean = Array.average values
        let std = if subsets < 2 then 0.0 else sqrt ((values |> Array.sumBy (fun v -> (v - mean) * (v - mean))) / float (subsets - 1))
        mean, std

    /// KID as the standard computes it (Bińkowski et al.; torch-fidelity's defaults are 100 subsets of 1000): the
    /// unbiased MMD² averaged over `subsets` random subsets of `subsetSize` rows of each set (drawn without
    /// replacement within a subset, from `seed`); the mean and the standard deviation over subsets.
    let kid (d: int) (subsets: int) (subsetSize: int) (seed: int) (features1: float[]) (features2: float[]) : float * float =
        kidWithin kernelTableLimit d subsets subsetSize seed features1 features2
