/// Spectral normalisation (core/Gan/SpectralNorm.fs) against singular values computed independently.
module LoE.Tests.GanSpectralNormTests

open System
open FsCheck.FSharp
open FsCheck.Xunit
open Xunit
open LoE.Core
open LoE.Core.Gan
open LoE.Tests.Generators

let private torch = TilingProperties.torch64
let private reference = ReferenceProperties.reference

/// The eigenvalues of WᵀW for a rows × cols matrix W, ascending (the symmetric eigensolver, not power iteration):
/// the squared singular values of W.
let private gramEigenvalues (rows: int) (cols: int) (w: float[]) =
    let gram = Array.init (cols * cols) (fun k -> let i, j = k / cols, k % cols in Seq.init rows (fun r -> w.[r * cols + i] * w.[r * cols + j]) |> Seq.sum)
    fst (Eigen.symmetric cols gram)

/// The largest singular value of a rows × cols matrix.
let private largestSingular (rows: int) (cols: int) (w: float[]) = sqrt (max 0.0 (Array.last (gramEigenvalues rows cols w)))

/// Whether 500 power iterations have certainly converged: their error shrinks as (σ₂/σ₁)^(2k), so a matrix whose top
/// two singular values nearly coincide (a random 6 × 3 one did in CI) may still be visibly off.
let private separated (rows: int) (cols: int) (w: float[]) =
    let values = gramEigenvalues rows cols w
    let n = values.Length
    n < 2 || values.[n - 1] <= 0.0 || (max 0.0 values.[n - 2] / values.[n - 1]) ** 500.0 < 1e-8

/// A weight of a matrix or convolution shape, and a random first u.
let private weightCase = gen {
    let! shape = Gen.oneof [ Gen.arrayOfLength 2 (Gen.choose (1, 6)); Gen.map (fun (o, c) -> [| o; c; 3; 3 |]) (Gen.zip (Gen.choose (1, 4)) (Gen.choose (1, 3))) ]
    let! w = Gen.arrayOfLength (Array.fold (*) 1 shape) (floatIn -1.0 1.0)
    let! u = Gen.arrayOfLength shape.[0] (floatIn 0.1 1.0)
    return shape, w, u }

/// Inside a scope on torch: see GanOpsTests.
let private sigmaAfter (b: Backend<'T>) (iterations: int) (shape: int[]) (w: float[]) (u: float[]) =
    use _ = b.scope ()
    let sigma, _ = SpectralNorm.estimate b iterations (b.tensor w shape) (b.tensor u [| shape.[0] |])
    Backend.scalar b sigma

[<Property(MaxTest = 60)>]
let ``after enough power iterations σ̂ approaches the largest singular value, on both backends`` () =
    forAll weightCase (fun (shape, w, u) ->
        let cols = w.Length / shape.[0]
        let expected = largestSingular shape.[0] cols w
        let t, r = sigmaAfter torch 500 shape w u, sigmaAfter reference 500 shape w u
        // The backends always agree. Only a matrix whose top two singular values are apart has certainly converged
        // in 500 steps: a 5 × 6 one in CI had them so close that both stopped 2e-5 short, together to 15 digits.
        (abs (t - r) <= 1e-9 * expected + 1e-12
         && (not (separated shape.[0] cols w) || abs (r - expected) <= 1e-5 * expected + 1e-12))
        |> Prop.label $"torch {t}, reference {r}, expected {expected}")

[<Property(MaxTest = 60)>]
let ``σ̂ never exceeds the largest singular value, and the normalised weight's is about 1`` () =
    forAll weightCase (fun (shape, w, u) ->
        let b = reference
        let cols = w.Length / shape.[0]
        let expected = largestSingular shape.[0] cols w
        let once = sigmaAfter b 1 shape w u
        let normalised, _ = SpectralNorm.normalise b 500 (b.tensor w shape) (b.tensor u [| shape.[0] |])
        once <= expected * (1.0 + 1e-12) + 1e-12
        && (not (separated shape.[0] cols w) || abs (largestSingular shape.[0] cols (b.toArray normalised) - 1.0) < 1e-5))

[<Fact>]
let ``u carries the iteration over: k steps of one iteration equal one step of k`` () =
    let rng = Random(4)
    let shape = [| 5; 2; 3; 3 |]
    let w = Array.init 90 (fun _ -> 2.0 * rng.NextDouble() - 1.0)
    let b = reference
    let wt = b.tensor w shape
    let mutable u = b.tensor (SpectralNorm.initialU 5) [| 5 |]
    for _ in 1 .. 7 do u <- snd (SpectralNorm.estimate b 1 wt u)
    let stepwise, _ = SpectralNorm.estimate b 1 wt u
    let atOnce, _ = SpectralNorm.estimate b 8 wt (b.tensor (SpectralNorm.initialU 5) [| 5 |])
    Assert.Equal(Backend.scalar b atOnce, Backend.scalar b stepwise, 12)

[<Fact>]
let ``the gradient of a normalised weight flows through W only, never into u`` () =
    let b = reference
    let w = b.tensor [| 1.0; 2.0; -1.0; 0.5; 0.3; 0.7 |] [| 2; 3 |]
    let _, grads = b.valueAndGrad (fun xs -> let n, _ = SpectralNorm.normalise b 1 xs.[0] xs.[1] in b.sum (b.mul n n)) [ w; b.tensor [| 0.6; 0.8 |] [| 2 |] ]
    Assert.True(b.toArray grads.[0] |> Array.exists (fun g -> g <> 0.0))
    Assert.True(b.toArray grads.[1] |> Array.forall (fun g -> g = 0.0))
