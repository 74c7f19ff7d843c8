module LoE.Tests.MetricsTests

open System
open FsCheck.FSharp
open FsCheck.Xunit
open Xunit
open LoE.Core
open LoE.Tests.Generators

// ----- PSNR -----

[<Fact>]
let ``psnr of known mean squared errors, by hand: 10 log10(1 / mse)`` () =
    Assert.Equal(0.0, Metrics.psnr 1.0, 12)
    Assert.Equal(10.0, Metrics.psnr 0.1, 12)
    Assert.Equal(20.0, Metrics.psnr 0.01, 12)
    Assert.Equal(40.0, Metrics.psnr 1e-4, 12)
    // 10 log10 2 = 3.0103 dB: halving the error power gains 3 dB, not 6.
    Assert.Equal(3.010299956639812, Metrics.psnr 0.5, 12)

[<Fact>]
let ``psnr of a signal off by one grey level everywhere is 20 log10 255 = 48.13 dB`` () =
    let b = ReferenceBackend.create ()
    let truth = Array.init 64 (fun i -> float (i % 200) / 255.0)
    // Every sample off by exactly one level (half up, half down): mse = 1/255².
    let off = truth |> Array.mapi (fun i v -> if i % 2 = 0 then v + 1.0 / 255.0 else v - 1.0 / 255.0)
    let mse = Metrics.mse b (b.tensor off [| 64 |]) (b.tensor truth [| 64 |]) |> b.toArray |> Array.exactlyOne
    Assert.Equal(1.0 / 65025.0, mse, 15)
    Assert.Equal(48.1308036086791, Metrics.psnr mse, 9)

[<Fact>]
let ``mse averages the squared errors over every element`` () =
    let b = ReferenceBackend.create ()
    // Errors 0.1, -0.2, 0.3, 0 on a 2 × 2 tensor: (0.01 + 0.04 + 0.09 + 0) / 4 = 0.035.
    let mse = Metrics.mse b (b.tensor [| 0.6; 0.3; 0.8; 0.0 |] [| 2; 2 |]) (b.tensor [| 0.5; 0.5; 0.5; 0.0 |] [| 2; 2 |])
    Assert.Equal(0.035, mse |> b.toArray |> Array.exactlyOne, 15)

// ----- SSIM (Wang et al. 2004) -----

let private plane = gen {
    let! w = Gen.choose (11, 20)
    let! h = Gen.choose (11, 20)
    let! values = Gen.arrayOfLength (w * h) (floatIn 0.0 1.0)
    return w, h, values }

[<Property(MaxTest = 40)>]
let ``ssim of an image with itself is 1`` () =
    forAll plane (fun (w, h, x) -> abs (Metrics.ssimPlane w h x x - 1.0) < 1e-12)

[<Property(MaxTest = 40)>]
let ``ssim is symmetric and at most 1`` () =
    forAll (Gen.zip plane (Gen.choose (0, 1000))) (fun ((w, h, x), seed) ->
        let rng = Random(seed)
        let y = Array.init x.Length (fun _ -> rng.NextDouble())
        let a, b = Metrics.ssimPlane w h x y, Metrics.ssimPlane w h y x
        abs (a - b) < 1e-12 && a <= 1.0 + 1e-12)

[<Property(MaxTest = 30)>]
let ``ssim decreases as more noise is added`` () =
    forAll (Gen.zip plane (Gen.choose (0, 1000))) (fun ((w, h, x), seed) ->
        let rng = Random(seed)
        let noise = Array.init x.Length (fun _ -> rng.NextDouble() - 0.5)
        let noisy s = Array.map2 (fun v n -> v + s * n) x noise
        let a, b, c = Metrics.ssimPlane w h x (noisy 0.05), Metrics.ssimPlane w h x (noisy 0.2), Metrics.ssimPlane w h x (noisy 0.6)
        1.0 > a && a > b && b > c)

[<Fact>]
let ``ssim of two constant images is (2ab + C1) / (a² + b² + C1), computed by hand`` () =
    // Constant planes have no variance or covariance: the structure term is C2 / C2 = 1 and the luminance term
    // is (2·0.5·0.25 + 0.0001) / (0.25 + 0.0625 + 0.0001) = 0.2501 / 0.3126.
    let x, y = Array.create (16 * 12) 0.5, Array.create (16 * 12) 0.25
    Assert.Equal(0.2501 / 0.3126, Metrics.ssimPlane 16 12 x y, 12)

[<Fact>]
let ``ssim of a signal averages its channels and frames`` () =
    let rng = Random(1)
    let a = Array.init (12 * 12 * 3 * 2) (fun _ -> float32 (rng.NextDouble()))
    Assert.Equal(1.0, Metrics.ssim [| 12; 12; 2 |] 3 a a, 12)

// Reference values from scikit-image 0.19.3 (Debian's python3-skimage), computed with:
//
//   /usr/bin/python3 -c '
//   import numpy as np
//   from skimage.metrics import structural_similarity as ssim
//   kw = dict(gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1.0)
//   W, H = 17, 13; i = np.arange(W * H)
//   a = ((i * i * 7 + 3 * i) % 97) / 96.0
//   b = 0.5 * a + 0.5 * (((i * 13 + 5) % 89) / 88.0)
//   print(repr(ssim(a.reshape(H, W), b.reshape(H, W), **kw)))
//   W, H, F = 15, 12, 2; j = np.arange(W * H * F * 3)
//   x = ((j * 31 + 7) % 101) / 100.0
//   y = 0.6 * x + 0.4 * (((j * 17 + 3) % 53) / 52.0)
//   x, y = x.astype(np.float32).astype(np.float64), y.astype(np.float32).astype(np.float64)
//   X, Y = x.reshape(F, H, W, 3), y.reshape(F, H, W, 3)
//   print(repr(np.mean([ssim(X[f], Y[f], channel_axis=-1, **kw) for f in range(F)])))
//   print([repr(ssim(X[f, :, :, c], Y[f, :, :, c], **kw)) for f in range(F) for c in range(3)])'
//
// printed 0.6716320002781293, 0.7777797712624288 and the six planes' values below. skimage filters with
// 'reflect' padding and averages over the interior (the valid region), which is Wang et al.'s definition.
// The planes are neither square nor symmetric, so a transposed or shifted index changes the value.

let private skimagePlane =
    let w, h = 17, 13
    let a = Array.init (w * h) (fun i -> float ((i * i * 7 + 3 * i) % 97) / 96.0)
    let b = Array.init (w * h) (fun i -> 0.5 * a.[i] + 0.5 * (float ((i * 13 + 5) % 89) / 88.0))
    w, h, a, b

let private skimageVideo =
    let w, h, frames = 15, 12, 2
    let n = w * h * frames * 3
    let x = Array.init n (fun j -> float ((j * 31 + 7) % 101) / 100.0)
    let y = Array.init n (fun j -> 0.6 * x.[j] + 0.4 * (float ((j * 17 + 3) % 53) / 52.0))
    [| w; h; frames |], Array.map float32 x, Array.map float32 y

[<Fact>]
let ``ssim of a 17 × 13 plane equals scikit-image's structural_similarity`` () =
    let w, h, a, b = skimagePlane
    Assert.Equal(0.6716320002781293, Metrics.ssimPlane w h a b, 10)

[<Fact>]
let ``ssim of a 3-channel, 2-frame signal equals scikit-image's mean over frames and channels`` () =
    let size, x, y = skimageVideo
    Assert.Equal(0.7777797712624288, Metrics.ssim size 3 x y, 10)

[<Fact>]
let ``ssim of every plane of a signal equals scikit-image's value for that frame and channel`` () =
    let size, x, y = skimageVideo
    let w, h = size.[0], size.[1]
    let plane (s: float32[]) f c = Array.init (w * h) (fun i -> float s.[(f * w * h + i) * 3 + c])
    let expected = [| 0.7034842616883423; 0.7943519691187136; 0.8632596745087971
                      0.8366897566476987; 0.6979418751057732; 0.7709510905052485 |]
    for f in 0 .. 1 do
        for c in 0 .. 2 do
            Assert.Equal(expected.[f * 3 + c], Metrics.ssimPlane w h (plane x f c) (plane y f c), 10)

[<Fact>]
let ``the SSIM window is a normalised 11-tap Gaussian of sigma 1.5`` () =
    let g = Metrics.gaussian 11 1.5
    Assert.Equal(1.0, Array.sum g, 14)
    // Ratio of neighbouring taps: exp(-((k+1)² - k²) / (2 σ²)); centre to next is exp(-1 / 4.5).
    Assert.Equal(exp (-1.0 / 4.5), g.[6] / g.[5], 14)
    Assert.Equal(exp (-25.0 / 4.5), g.[0] / g.[5], 14)
    Assert.Equal(g.[0], g.[10], 15)
