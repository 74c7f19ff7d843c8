/// The GAN's generator, latents and KID against independent references: a plain re-implementation of section E's
/// generator in loops over arrays, the moments of N(0, I), and KID's closed form worked out by hand. Each guards a
/// mutant of tests/mutation/mutants.txt.
module LoE.Tests.GanReferenceTests

open System
open Xunit
open FsCheck.FSharp
open FsCheck.Xunit
open LoE.Core
open LoE.Core.Gan

/// Two plain residual blocks, no embedding, p itself encoded, a tanh output.
let private spec =
    { GanModelTests.tinyGenerator with
        Tiles = [| [| 1; 1 |]; [| 1; 1 |] |]; Scales = [| 0.0; 0.0 |]; EmbeddingChannels = 0; Output = GeneratorOutput.Tanh }

/// Section E's generator written out for one pixel: [γ(p), z] through the first layer, LeakyReLU, x + f(x) per
/// block with f = LeakyReLU ∘ linear ∘ LeakyReLU ∘ linear, the output layer and tanh. `w name` is a parameter's
/// values, row-major [in; out] (a 1×1 tile's single expert has the same layout).
let private plainPixel (w: string -> float[]) (p: float[]) (z: float[]) : float[] =
    let lrelu x = if x >= 0.0 then x else spec.NegativeSlope * x
    let linear (name: string) (x: float[]) =
        let weight, bias = w $"{name}.weight", w $"{name}.bias"
        let outW = bias.Length
        Array.init outW (fun o -> bias.[o] + Array.fold (+) 0.0 (Array.init x.Length (fun i -> x.[i] * weight.[i * outW + o])))
    // γ(p) = (p, then per frequency l and axis i: sin(2^l π p_i), cos(2^l π p_i)) (EncodingTests pin this order).
    let wave l i =
        let a = 2.0 ** float l * Math.PI * p.[i]
        [| sin a; cos a |]
    let gamma = Array.append p [| for l in 0 .. spec.PeFrequencies - 1 do for i in 0 .. 1 do yield! wave l i |]
    let latent = w "g.latent.weight"
    let zPart = Array.init spec.Width (fun o -> Array.fold (+) 0.0 (Array.init z.Length (fun i -> z.[i] * latent.[i * spec.Width + o])))
    let mutable x = Array.map2 (+) (linear "g.input" gamma) zPart |> Array.map lrelu
    for k in 1 .. spec.Tiles.Length do
        let f = x |> linear $"g.block{k}.a" |> Array.map lrelu |> linear $"g.block{k}.b" |> Array.map lrelu
        x <- Array.map2 (+) x f
    linear "g.output" x |> Array.map tanh

[<Property(MaxTest = 30)>]
let ``the generator is section E's network: residual blocks, z with every pixel, pixel centres ((x + ½)/W, (y + ½)/H)`` () =
    let sizes = Gen.zip3 (Gen.choose (1, 4)) (Gen.choose (1, 4)) (Gen.choose (1, 2))
    Generators.forAll (Gen.zip sizes (Gen.choose (0, 10_000))) (fun ((width, height, images), seed) ->
        let b = ReferenceProperties.reference
        let g = Generator.create b spec
        // Random biases too (the initialiser's are zero, which would hide a bias read from the wrong layer).
        let rng = Random(seed)
        let values = g.Parameters |> List.map (fun p -> p.Name, Array.init (Array.fold (*) 1 p.Shape) (fun _ -> rng.NextDouble() - 0.5)) |> Map.ofList
        let ps = g.Parameters |> List.map (fun p -> p.Name, b.tensor values.[p.Name] p.Shape) |> Map.ofList
        let z = Array.init (images * spec.LatentDim) (fun _ -> 2.0 * rng.NextDouble() - 1.0)
        let got = Generator.apply b g ps (Generator.pixels b false images width height) (b.tensor z [| images; spec.LatentDim |]) |> b.toArray
        let expected =
            [| for k in 0 .. images - 1 do
                 for y in 0 .. height - 1 do
                     for x in 0 .. width - 1 do
                         let p = [| (float x + 0.5) / float width; (float y + 0.5) / float height |]
                         yield! plainPixel (fun name -> values.[name]) p z.[k * spec.LatentDim .. (k + 1) * spec.LatentDim - 1] |]
        Assert.Equal(expected.Length, got.Length)
        Assert.True(Array.forall2 (fun a e -> abs (a - e) < 1e-12) got expected, $"generator %A{got}, by hand %A{expected}"))

[<Property(MaxTest = 20)>]
let ``latents are N(0, I): mean 0, variance 1, 68.3 % within one standard deviation`` () =
    Generators.forAll (Gen.choose (0, 1_000_000)) (fun seed ->
        let z = Generator.latents 8 4000 (int64 seed)
        let n = float z.Length
        let mean = Array.average z
        let variance = (z |> Array.sumBy (fun v -> (v - mean) * (v - mean))) / (n - 1.0)
        let within = float (z |> Array.filter (fun v -> abs v <= 1.0) |> Array.length) / n
        // 32000 draws: the standard errors are 0.006 (mean), 0.008 (variance) and 0.003 (share); 5 of each allowed.
        Assert.True(abs mean < 0.03, $"mean {mean}")
        Assert.True(abs (variance - 1.0) < 0.04, $"variance {variance}")
        Assert.True(abs (within - 0.6827) < 0.015, $"share within ±1: {within}"))

[<Fact>]
let ``KID of three 3-d features against three is −170/81, its unbiased MMD² with (xᵀy/d + 1)³ worked out by hand`` () =
    // k(x, y) = (xᵀy / 3 + 1)³. Within x, the distinct pairs give 125/27, 125/27, 64/27, each twice: 628/27. Within
    // y: 1, 64/27, 125/27, each twice: 16. Across: 64/27, 1, 8, 1, 125/27, 125/27, 125/27, 125/27, 8: 350/9.
    // MMD² = (628/27)/6 + 16/6 − 2 (350/9)/9 = −170/81. (Without the 1/d the same sets give −22.)
    let x = [| 1.0; 2.0; 0.0; 0.0; 1.0; 1.0; 2.0; 0.0; 1.0 |]
    let y = [| 1.0; 0.0; 0.0; 0.0; 0.0; 2.0; 1.0; 1.0; 1.0 |]
    for seed in 0 .. 3 do
        let kid, std = Frechet.kid 3 1 3 seed x y
        Assert.True(abs (kid - (-170.0 / 81.0)) < 1e-12, $"KID {kid}, by hand {-170.0 / 81.0}")
        Assert.Equal(0.0, std)
