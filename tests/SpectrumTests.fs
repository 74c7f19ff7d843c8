/// The power spectrum of GAN images (host/Metrics/PowerSpectrum.cs) against Parseval's theorem, the DFT's shift
/// theorem and a cosine's power derived by hand.
module LoE.Tests.SpectrumTests

open System
open FsCheck.FSharp
open FsCheck.Xunit
open Xunit
open LoE.Core
open LoE.Host.Metrics
open LoE.Tests.Generators

let private image (rng: Random) w h c =
    { Width = w; Height = h; Channels = c; Pixels = Array.init (w * h * c) (fun _ -> float32 (rng.NextDouble() * 2.0 - 1.0)) }

let private sizes = Gen.zip (Gen.zip (Gen.choose (1, 12)) (Gen.choose (1, 12))) (Gen.zip (Gen.choose (1, 3)) (Gen.choose (0, 100000)))

let private spectrumOf (ims: Image list) =
    let s = PowerSpectrum(ims.Head.Width, ims.Head.Height)
    for im in ims do s.Add im
    s

let private close (a: float) (e: float) = abs (a - e) <= 1e-9 * (1.0 + abs e)

/// Σ_k |X_k|² = N Σ_n x_n² over all N frequencies, so Σ_k p_k is a line's sum of squares; of the one-sided p_k
/// (k ≤ ⌊N/2⌋), those whose mirror N − k is another frequency count twice.
let private parseval (p: float[]) n =
    p |> Array.mapi (fun k v -> if k = 0 || 2 * k = n then v else 2.0 * v) |> Array.sum

[<Property(MaxTest = 100)>]
let ``the weighted power of every line sums to its mean sum of squares (Parseval), along x and along y`` () =
    forAll sizes (fun ((w, h), (c, seed)) ->
        let rng = Random(seed)
        let ims = List.init (1 + rng.Next 3) (fun _ -> image rng w h c)
        let s = spectrumOf ims
        let squares = ims |> List.sumBy (fun im -> im.Pixels |> Array.sumBy (fun v -> float v * float v))
        let lines = float (List.length ims * c)
        close (parseval s.AlongX w) (squares / (lines * float h))
        && close (parseval s.AlongY h) (squares / (lines * float w)))

[<Property(MaxTest = 100)>]
let ``a circular shift along x leaves both spectra as they were`` () =
    forAll (Gen.zip sizes (Gen.choose (1, 11))) (fun (((w, h), (c, seed)), shift) ->
        let im = image (Random seed) w h c
        let shifted =
            { im with Pixels = Array.init im.Pixels.Length (fun i ->
                        let ch, x, y = i % c, (i / c) % w, i / c / w
                        im.Pixels.[(y * w + (x + shift) % w) * c + ch]) }
        let a, b = spectrumOf [ im ], spectrumOf [ shifted ]
        Array.forall2 close a.AlongX b.AlongX && Array.forall2 close a.AlongY b.AlongY)

/// x_n = cos(2π k₀ n / N) with 0 < k₀ < N/2: X_k₀ = N/2 (its mirror at N − k₀), so p_k₀ = (N/2)² / N = N/4 and
/// every other k reads 0. The columns are constant: a column of value v has X_0 = H v, so p_0 = H v², and along y
/// only k = 0 has power, H times the mean of v² over the columns.
[<Property(MaxTest = 60)>]
let ``vertical stripes of frequency k0 put N/4 at k0 along x and nothing but the mean along y`` () =
    let stripes = gen {
        let! w = Gen.choose (3, 40)
        let! h = Gen.choose (1, 9)
        let! k0 = Gen.choose (1, (w - 1) / 2)
        return w, h, k0 }
    forAll stripes (fun (w, h, k0) ->
        let v x = cos (2.0 * Math.PI * float (k0 * x) / float w)
        let im = { Width = w; Height = h; Channels = 1; Pixels = Array.init (w * h) (fun i -> float32 (v (i % w))) }
        let s = spectrumOf [ im ]
        let tol = 1e-5 * float w  // the pixels are float32
        s.AlongX |> Array.mapi (fun k p -> abs (p - (if k = k0 then float w / 4.0 else 0.0)) < tol) |> Array.forall id
        && abs (s.AlongY.[0] - float h * (Array.init w (fun x -> v x * v x) |> Array.average)) < tol
        && s.AlongY |> Array.skip 1 |> Array.forall (fun p -> abs p < tol))

[<Fact>]
let ``an image of another size is refused`` () =
    let s = PowerSpectrum(4, 4)
    Assert.Throws<ArgumentException>(fun () -> s.Add(image (Random 0) 4 5 1)) |> ignore
