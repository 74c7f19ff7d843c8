/// Fréchet distance and KID (core/Gan/Frechet.fs) against closed forms and the estimator's defining properties.
module LoE.Tests.GanMetricsTests

open System
open FsCheck.FSharp
open FsCheck.Xunit
open Xunit
open LoE.Core.Gan
open LoE.Tests.Generators

/// A rotation Q of d dimensions as a product of plane rotations made by hand (no eigensolver involved).
let private rotation (rng: Random) (d: int) =
    let mutable q = Array.init (d * d) (fun k -> if k / d = k % d then 1.0 else 0.0)
    for i in 0 .. d - 2 do
        for j in i + 1 .. d - 1 do
            let a = 2.0 * Math.PI * rng.NextDouble()
            let g = Array.init (d * d) (fun k -> if k / d = k % d then 1.0 else 0.0)
            g.[i * d + i] <- cos a; g.[j * d + j] <- cos a; g.[i * d + j] <- -(sin a); g.[j * d + i] <- sin a
            q <- Eigen.multiply d q g
    q

let private transpose d (m: float[]) = Array.init (d * d) (fun k -> m.[(k % d) * d + k / d])
let private diag d (v: float[]) = Array.init (d * d) (fun k -> if k / d = k % d then v.[k / d] else 0.0)

let private normal (rng: Random) =
    sqrt (-2.0 * log (1.0 - rng.NextDouble())) * cos (2.0 * Math.PI * rng.NextDouble())

let private close tol (a: float) (e: float) = abs (a - e) <= tol * (1.0 + abs e)

[<Property(MaxTest = 50)>]
let ``the Fréchet distance of a feature set with itself is 0`` () =
    forAll (Gen.zip (Gen.choose (1, 6)) (Gen.choose (0, 10000))) (fun (d, seed) ->
        let rng = Random(seed)
        let n = d + 2 + rng.Next(20)
        let x = Array.init (n * d) (fun _ -> normal rng * 3.0 + 1.0)
        abs (Frechet.distance d x x) < 1e-9)

/// Σ₁ = Q D₁ Qᵀ and Σ₂ = Q D₂ Qᵀ commute, so tr((Σ₁Σ₂)^½) = Σ √(d₁ᵢ d₂ᵢ): a closed form that needs no matrix
/// square root, against the full-matrix computation.
[<Property(MaxTest = 50)>]
let ``the Fréchet distance between Gaussians equals the closed form for commuting covariances`` () =
    forAll (Gen.zip (Gen.choose (1, 7)) (Gen.choose (0, 10000))) (fun (d, seed) ->
        let rng = Random(seed)
        let q = rotation rng d
        let d1 = Array.init d (fun _ -> 0.01 + 4.0 * rng.NextDouble())
        let d2 = Array.init d (fun i -> if i = 0 then 0.0 else 0.01 + 4.0 * rng.NextDouble())
        let sigma dd = Eigen.multiply d (Eigen.multiply d q (diag d dd)) (transpose d q)
        let mu1 = Array.init d (fun _ -> normal rng)
        let mu2 = Array.init d (fun _ -> normal rng)
        let expected =
            Array.fold2 (fun s a b -> s + (a - b) * (a - b)) 0.0 mu1 mu2
            + Array.sum d1 + Array.sum d2 - 2.0 * Array.fold2 (fun s a b -> s + sqrt (a * b)) 0.0 d1 d2
        let actual = Frechet.ofGaussians d mu1 (sigma d1) mu2 (sigma d2)
        // A zero variance (d₂ has one) leaves an eigenvalue of rounding size whose root is ~1e-8: the loss of half
        // the digits any square root of a singular matrix has, hence 1e-7 rather than 1e-9.
        close 1e-7 actual expected |> Prop.label $"{actual} vs {expected}")

/// For non-commuting covariances in 2 dimensions, tr(√M) of a 2 × 2 matrix M with real non-negative eigenvalues is
/// √(tr M + 2√det M) (both eigenvalues' roots summed, squared): an independent closed form for tr((Σ₁Σ₂)^½).
[<Property(MaxTest = 100)>]
let ``the trace of the square root of Σ₁Σ₂ equals the 2 × 2 closed form for random covariances`` () =
    forAll (Gen.choose (0, 100000)) (fun seed ->
        let rng = Random(seed)
        let psd () =
            let b = Array.init 4 (fun _ -> normal rng)
            Eigen.multiply 2 b (transpose 2 b)
        let s1, s2 = psd (), psd ()
        let m = Eigen.multiply 2 s1 s2
        let tr, det = m.[0] + m.[3], m.[0] * m.[3] - m.[1] * m.[2]
        let expected = sqrt (tr + 2.0 * sqrt (max 0.0 det))
        close 1e-8 (Frechet.traceSqrtProduct 2 s1 s2) expected)

[<Property(MaxTest = 50)>]
let ``the symmetric PSD square root squares back`` () =
    forAll (Gen.zip (Gen.choose (1, 8)) (Gen.choose (0, 10000))) (fun (d, seed) ->
        let rng = Random(seed)
        // Rank-deficient sometimes: fewer columns than rows, as covariances of few samples are.
        let k = 1 + rng.Next(d + 2)
        let b = Array.init (d * k) (fun _ -> normal rng)
        let a = Array.init (d * d) (fun idx -> let i, j = idx / d, idx % d in Seq.init k (fun c -> b.[i * k + c] * b.[j * k + c]) |> Seq.sum)
        let r = Eigen.sqrtPsd d a
        let back = Eigen.multiply d r r
        Array.forall2 (fun x y -> abs (x - y) <= 1e-9 * (1.0 + Array.max (Array.map abs a))) back a)

/// A symmetric matrix Q diag(λ) Qᵀ with known eigenvalues: distinct, repeated (a multiple eigenvalue's vectors are
/// any basis of its space), zero (rank-deficient) or negative, of sizes up to 24 (the QL sweeps split there).
[<Property(MaxTest = 60)>]
let ``the eigensolver returns the eigenvalues a matrix was built from, ascending, with orthonormal vectors A v = λ v`` () =
    forAll (Gen.zip (Gen.choose (1, 24)) (Gen.choose (0, 100000))) (fun (n, seed) ->
        let rng = Random(seed)
        let pool = [| -2.0; 0.0; 0.0; 1.0; 3.5 |]
        let lambda = Array.init n (fun _ -> if rng.Next 2 = 0 then pool.[rng.Next pool.Length] else 10.0 * normal rng)
        let q = rotation rng n
        let a = Eigen.multiply n (Eigen.multiply n q (diag n lambda)) (transpose n q)
        let values, vectors = Eigen.symmetric n a
        let scale = 1.0 + Array.max (Array.map abs lambda)
        let residual =
            Seq.max (seq { for i in 0 .. n - 1 do
                            for k in 0 .. n - 1 ->
                                abs ((Seq.init n (fun j -> a.[i * n + j] * vectors.[j * n + k]) |> Seq.sum) - values.[k] * vectors.[i * n + k]) })
        let gram = Eigen.multiply n (transpose n vectors) vectors
        let orthonormal = gram |> Array.mapi (fun idx g -> abs (g - (if idx / n = idx % n then 1.0 else 0.0))) |> Array.max
        Array.forall2 (fun v l -> abs (v - l) <= 1e-10 * scale) values (Array.sort lambda)
        && residual <= 1e-10 * scale && orthonormal <= 1e-10)

/// numpy.cov's default (ddof = 1), which FID implementations use: rows (1, 2), (3, 6), (5, 4) have mean (3, 4),
/// deviations (−2, −2), (0, 2), (2, 0), sums of products 8, 4, 8 and, over n − 1 = 2, covariance [[4, 2], [2, 4]].
[<Fact>]
let ``moments are the mean and the unbiased covariance (numpy.cov's default), worked by hand`` () =
    let mu, cov = Frechet.moments 2 [| 1.0; 2.0; 3.0; 6.0; 5.0; 4.0 |]
    Assert.Equal<float[]>([| 3.0; 4.0 |], mu)
    Assert.Equal<float[]>([| 4.0; 2.0; 2.0; 4.0 |], cov)

/// In one dimension the Fréchet distance is (μ₁ − μ₂)² + (s₁ − s₂)²: {−1, 1} (mean 0, s² = 2) against {2, 3, 4}
/// (mean 3, s² = 1) is 9 + (√2 − 1)².
[<Fact>]
let ``the Fréchet distance of two 1-d sets is (μ₁ − μ₂)² + (s₁ − s₂)² with sample standard deviations`` () =
    Assert.Equal(9.0 + (sqrt 2.0 - 1.0) ** 2.0, Frechet.distance 1 [| -1.0; 1.0 |] [| 2.0; 3.0; 4.0 |], 12)

/// Mean of the unbiased MMD² over many independent pairs of sets, and its standard error.
let private mmdOverDraws (shift: float) =
    let rng = Random(7)
    let d, m, draws = 4, 16, 300
    let values =
        Array.init draws (fun _ ->
            let x = Array.init (m * d) (fun _ -> normal rng)
            let y = Array.init (m * d) (fun _ -> normal rng + shift)
            Frechet.mmdUnbiased d x (Array.init m id) y (Array.init m id))
    let mean = Array.average values
    mean, sqrt ((values |> Array.sumBy (fun v -> (v - mean) ** 2.0)) / float (draws - 1) / float draws)

[<Fact>]
let ``KID's estimator is unbiased: its mean over many draws from one distribution is near 0`` () =
    let mean, se = mmdOverDraws 0.0
    Assert.True(abs mean < 4.0 * se, $"mean {mean}, standard error {se}")

[<Fact>]
let ``KID is clearly positive between shifted distributions`` () =
    let mean, se = mmdOverDraws 1.0
    Assert.True(mean > 10.0 * se && mean > 0.0, $"mean {mean}, standard error {se}")

[<Fact>]
let ``KID over subsets is 0-centred for a set split in two and positive for shifted sets`` () =
    let rng = Random(3)
    let d = 3
    let x = Array.init (200 * d) (fun _ -> normal rng)
    let y = Array.init (200 * d) (fun _ -> normal rng)
    let z = Array.init (200 * d) (fun _ -> normal rng + 0.8)
    let same, sameStd = Frechet.kid d 50 50 1 x y
    let shifted, _ = Frechet.kid d 50 50 1 x z
    Assert.True(abs same < 3.0 * sameStd, $"same distribution: {same} ± {sameStd}")
    Assert.True(shifted > 10.0 * abs same && shifted > 0.05, $"shifted {shifted}, same {same}")

/// KID's kernel tables (Frechet.kidWithin, what gan-quick's scoring uses) change its speed, not its value: with and
/// without them KID is the same to the bit, over feature widths that are and are not multiples of a SIMD vector.
[<Property(MaxTest = 200)>]
let ``KID from kernel tables equals KID computed within each subset, to the bit`` () =
    forAll (Gen.zip3 (Gen.choose (1, 19)) (Gen.zip (Gen.choose (2, 30)) (Gen.choose (2, 30))) (Gen.zip (Gen.choose (1, 5)) (Gen.choose (0, 10000))))
        (fun (d, (n1, n2), (subsets, seed)) ->
            let rng = Random(seed)
            let x = Array.init (n1 * d) (fun _ -> normal rng * 10.0 ** float (rng.Next(-2, 3)))
            let y = Array.init (n2 * d) (fun _ -> abs (normal rng) + 0.5)
            let size = 2 + rng.Next(min n1 n2 - 1)
            let tables = Frechet.kidWithin Int64.MaxValue d subsets size seed x y
            let direct = Frechet.kidWithin 0L d subsets size seed x y
            (tables = direct) |> Prop.label $"tables {tables}, direct {direct}")

/// The summary's real-against-real floor (host/Metrics/GanScoring.RealFloor) splits the real features into their
/// first and second half: halves that are the same set read FD 0.
[<Property(MaxTest = 30)>]
let ``the real-against-real floor of two identical halves is 0`` () =
    forAll (Gen.zip (Gen.choose (1, 6)) (Gen.choose (0, 10000))) (fun (d, seed) ->
        let rng = Random(seed)
        let n = d + 2 + rng.Next(20)
        let x = Array.init (n * d) (fun _ -> normal rng * 3.0 + 1.0)
        let floor = LoE.Host.Metrics.GanScoring.RealFloor("test", d, Array.append x x, seed)
        ((floor.RealCount, floor.FakeCount) = (n, n) && abs floor.Fd < 1e-9) |> Prop.label $"{floor.Fd}")

/// A second half that is the first shifted by c has the same covariance, so its FD is |c|² (means apart, traces
/// cancel); an odd last row is left out, and a half needs 2 images.
[<Property(MaxTest = 30)>]
let ``the real-against-real floor of a half and its shifted copy is the squared shift, the odd row left out`` () =
    forAll (Gen.zip (Gen.choose (1, 6)) (Gen.choose (0, 10000))) (fun (d, seed) ->
        let rng = Random(seed)
        let n = d + 2 + rng.Next(20)
        let x = Array.init (n * d) (fun _ -> normal rng * 3.0 + 1.0)
        let c = Array.init d (fun _ -> normal rng)
        let shifted = x |> Array.mapi (fun k v -> v + c.[k % d])
        let odd = Array.init d (fun _ -> 1e6 * normal rng)
        let floor = LoE.Host.Metrics.GanScoring.RealFloor("test", d, Array.concat [ x; shifted; odd ], seed)
        let expected = Array.sumBy (fun v -> v * v) c
        ((floor.RealCount, floor.FakeCount) = (n, n) && close 1e-7 floor.Fd expected) |> Prop.label $"{floor.Fd} vs {expected}")

[<Fact>]
let ``there is no real-against-real floor with fewer than 2 images a half`` () =
    Assert.Null(LoE.Host.Metrics.GanScoring.RealFloor("test", 2, Array.init 6 float, 0))
    Assert.NotNull(LoE.Host.Metrics.GanScoring.RealFloor("test", 2, Array.init 8 float, 0))
