/// The GAN's generator and discriminator (core/Gan/Generator.fs, Discriminator.fs): the paper's counts, batch
/// independence, and gradients against finite differences and across backends.
module LoE.Tests.GanModelTests

open System
open Xunit
open Xunit.Abstractions
open LoE.Core
open LoE.Core.Gan
open LoE.Tests.ReferenceProperties

let private torch = TilingProperties.torch64

/// x rounded as the paper prints it: to `digits` significant digits.
let private rounded (digits: int) (x: int64) =
    let scale = 10.0 ** (floor (log10 (float x)) + 1.0 - float digits)
    Math.Round(float x / scale) * scale

/// A tiny generator with everything the full ones have: an embedding, position-dependent blocks (nearest,
/// 2×2 and 1×3 tiles) and a plain one.
let tinyGenerator : GeneratorSpec =
    { PeFrequencies = 2; EncodingRange = EncodingRange.Unit; LatentDim = 3; Width = 5; InnerWidth = 4
      Tiles = [| [| 2; 2 |]; [| 1; 3 |]; [| 1; 1 |] |]; Scales = [| 2.0; 4.0; 0.0 |]; Interpolation = Interpolation.Nearest
      EmbeddingChannels = 2; EmbeddingResolution = 3; Channels = 2; NegativeSlope = 0.2; ExpertInit = ExpertInit.Independent
      Output = GeneratorOutput.Linear }

let tinyDiscriminator : DiscriminatorSpec = { Channels = 2; Widths = [| 3; 2; 2; 2; 1 |]; NegativeSlope = 0.2; PowerIterations = 1 }

type CountTests(out: ITestOutputHelper) =
    /// The reading these counts rest on is Presets' comment: z's 3400 weights per trunk channel are per image.
    [<Fact>]
    member _.``full-scale generators have the paper's parameters and multiply-adds per pixel (Table 4) to its rounding``() =
        let b = reference
        for name, spec, parameters, multiplyAdds in [ "PE + CE", Presets.peCe, 19.9e6, 1.39e6; "Ours", Presets.ours, 19.6e6, 1.26e6 ] do
            let g = Generator.create b spec
            let p, m = Generator.parameterCount g, g.MultiplyAdds
            out.WriteLine($"{name}: {p} parameters (paper {parameters}), {m} multiply-adds per pixel (paper {multiplyAdds})")
            Assert.True(rounded 3 p = parameters, $"{name}: {p} parameters, the paper {parameters}")
            Assert.True(rounded 3 m = multiplyAdds, $"{name}: {m} multiply-adds, the paper {multiplyAdds}")
        let d = Discriminator.create { Channels = 3; Widths = Discriminator.paperWidths; NegativeSlope = 0.2; PowerIterations = 1 }
        out.WriteLine($"discriminator (both scales): {Discriminator.parameterCount d} parameters")

let private images (b: Backend<'T>) (ps: Params<'T>) (count: int) (z: float[]) =
    let g = Generator.create b tinyGenerator
    Generator.images b g ps (Generator.pixels b false count 4 6) (b.tensor z [| count; tinyGenerator.LatentDim |]) |> b.toArray

/// Inside a scope on torch: see GanOpsTests.
let private batchEqualsPerImage (b: Backend<'T>) =
    use _ = b.scope ()
    let g = Generator.create b tinyGenerator
    let ps = Generator.init b g 5
    let z = Generator.latents tinyGenerator.LatentDim 3 11L
    let together = images b ps 3 z
    let alone = Array.init 3 (fun k -> images b ps 1 z.[k * 3 .. k * 3 + 2]) |> Array.concat
    together.Length = 3 * 2 * 4 * 6 && closeTo 1e-12 together alone

[<Fact>]
let ``the generator's output for a batch equals the per-image computation, on both backends`` () =
    Assert.True(batchEqualsPerImage torch)
    Assert.True(batchEqualsPerImage reference)

/// gan.output: tanh is tanh of the linear output (same parameters: tanh has none), so it stays in [−1, 1] however
/// large the weights make the linear output.
let private tanhOfLinear (b: Backend<'T>) (weightScale: float) =
    use _ = b.scope ()
    let out (output: GeneratorOutput) =
        let spec = { tinyGenerator with Output = output }
        let g = Generator.create b spec
        let ps = Generator.init b g 5 |> Map.map (fun _ t -> b.scale weightScale t)
        let z = Generator.latents spec.LatentDim 3 11L
        Generator.images b g ps (Generator.pixels b false 3 4 6) (b.tensor z [| 3; spec.LatentDim |]) |> b.toArray
    let linear, squashed = out GeneratorOutput.Linear, out GeneratorOutput.Tanh
    linear, squashed, closeTo 1e-12 squashed (Array.map Math.Tanh linear) && Array.forall (fun y -> -1.0 <= y && y <= 1.0) squashed

[<Fact>]
let ``a tanh generator's output is tanh of the linear one and lies in [−1, 1] even for extreme weights, on both backends`` () =
    for name, run in [ "reference", (fun s -> tanhOfLinear reference s); "torch", (fun s -> tanhOfLinear torch s) ] do
        for scale in [ 1.0; 100.0 ] do
            let linear, squashed, ok = run scale
            Assert.True(ok, $"{name}, weights × {scale}: tanh output {Array.min squashed} .. {Array.max squashed}")
            if scale > 1.0 then
                // The extreme weights do push the linear output far outside [−1, 1].
                Assert.True(Array.max (Array.map abs linear) > 1e3, $"{name}: linear output at most {Array.max (Array.map abs linear)}")

[<Fact>]
let ``different latents give different images, the same latent the same image`` () =
    let b = reference
    let g = Generator.create b tinyGenerator
    let ps = Generator.init b g 5
    let z = Generator.latents tinyGenerator.LatentDim 2 3L
    let two = images b ps 2 (Array.append z.[0 .. 2] z.[0 .. 2])
    let half = two.Length / 2
    Assert.True(closeTo 0.0 two.[.. half - 1] two.[half ..])
    let other = images b ps 2 z
    Assert.False(closeTo 1e-6 other.[.. half - 1] other.[half ..])

[<Fact>]
let ``both patch discriminators score patches; each image's scores do not depend on the batch`` () =
    let b = reference
    let d = Discriminator.create tinyDiscriminator
    let ps = Component.init b { Parameters = d.Parameters @ d.State; MultiplyAdds = 0L; Apply = fun _ _ x -> x } 3
    let x = Array.init (2 * 2 * 64 * 64) (fun i -> sin (float i))
    let scores, next = Discriminator.scores b d ps (b.tensor x [| 2; 2; 64; 64 |])
    // 64 → 32 → 16 → 8 → 4 → 2 patches a side on the image, 32 → … → 1 on its half.
    Assert.Equal<int[] list>([ [| 2; 1; 2; 2 |]; [| 2; 1; 1; 1 |] ], scores |> List.map b.shape)
    Assert.Equal(10, next.Length)
    let alone, _ = Discriminator.scores b d ps (b.tensor x.[8192 ..] [| 1; 2; 64; 64 |])
    let second (s: ReferenceBackend.T) = let a = b.toArray s in a.[a.Length / 2 ..]
    Assert.True(closeTo 1e-12 (alone |> List.map b.toArray |> Array.concat) (scores |> List.map second |> Array.concat))

/// Section E's discriminator written out independently: plain loops for the 3 × 3 convolutions of stride 2 and
/// padding 1 and for the 2 × 2 mean of the half-scale input, each weight divided by its largest singular value
/// (√ of the top eigenvalue of W Wᵀ from the symmetric eigensolver, not power iteration), LeakyReLU 0.2 after every layer but the last.
[<Fact>]
let ``the discriminator's scores equal a plain re-implementation of the two patch discriminators`` () =
    let b = reference
    let spec = { tinyDiscriminator with PowerIterations = 500 }
    let d = Discriminator.create spec
    let rng = Random(6)
    // Random weights and biases (not the zero biases of init), every u starting where a model's does.
    let values =
        (d.Parameters |> List.map (fun p -> p.Name, Array.init (p.Shape |> Array.fold (*) 1) (fun _ -> 2.0 * rng.NextDouble() - 1.0), p.Shape))
        @ (d.State |> List.map (fun p -> p.Name, SpectralNorm.initialU p.Shape.[0], p.Shape))
    let ps = values |> List.map (fun (n, v, s) -> n, b.tensor v s) |> Map.ofList
    let value name = values |> List.pick (fun (n, v, _) -> if n = name then Some v else None)
    let side = 16
    let image = Array.init (2 * side * side) (fun i -> sin (0.7 * float i))
    let conv (x: float[]) c h w (weight: float[]) (bias: float[]) =
        let o = bias.Length
        let rows = weight.Length / o
        let gram = Array.init (o * o) (fun k -> Seq.init rows (fun j -> weight.[(k / o) * rows + j] * weight.[(k % o) * rows + j]) |> Seq.sum)
        let sigma = sqrt (Array.last (fst (Eigen.symmetric o gram)))
        let oh, ow = (h - 1) / 2 + 1, (w - 1) / 2 + 1
        Array.init (o * oh * ow) (fun idx ->
            let k, i, j = idx / (oh * ow), (idx / ow) % oh, idx % ow
            let mutable s = bias.[k]
            for ci in 0 .. c - 1 do
                for di in 0 .. 2 do
                    for dj in 0 .. 2 do
                        let y, xx = 2 * i - 1 + di, 2 * j - 1 + dj
                        if y >= 0 && y < h && xx >= 0 && xx < w then
                            s <- s + weight.[((k * c + ci) * 3 + di) * 3 + dj] / sigma * x.[(ci * h + y) * w + xx]
            s), oh, ow
    let run scale (x: float[]) h w =
        let mutable x, c, h, w = x, spec.Channels, h, w
        for i in 0 .. spec.Widths.Length - 1 do
            let name = $"d.{scale}.conv%d{i + 1}"
            let y, oh, ow = conv x c h w (value (name + ".weight")) (value (name + ".bias"))
            x <- (if i = spec.Widths.Length - 1 then y else y |> Array.map (fun v -> if v < 0.0 then 0.2 * v else v))
            c <- spec.Widths.[i]; h <- oh; w <- ow
        x
    let half = Array.init (2 * (side / 2) * (side / 2)) (fun idx ->
        let c, y, x = idx / ((side / 2) * (side / 2)), (idx / (side / 2)) % (side / 2), idx % (side / 2)
        let at yy xx = image.[(c * side + yy) * side + xx]
        (at (2 * y) (2 * x) + at (2 * y) (2 * x + 1) + at (2 * y + 1) (2 * x) + at (2 * y + 1) (2 * x + 1)) / 4.0)
    let expected = Array.append (run "full" image side side) (run "half" half (side / 2) (side / 2))
    let scores, _ = Discriminator.scores b d ps (b.tensor image [| 1; 2; side; side |])
    let actual = scores |> List.map b.toArray |> Array.concat
    Assert.True(closeTo 1e-8 actual expected, $"scores %A{actual}, expected %A{expected}")

/// The generator's and the discriminator's hinge losses on a tiny batch as functions of their own parameters.
let private losses (b: Backend<'T>) (iterations: int) =
    let g = Generator.create b tinyGenerator
    let d = Discriminator.create { tinyDiscriminator with PowerIterations = iterations }
    let gps = Generator.init b g 1
    let dps = Component.init b { Parameters = d.Parameters @ d.State; MultiplyAdds = 0L; Apply = fun _ _ x -> x } 2
    // Start every u converged for the initial weights, so that few iterations per evaluation keep it converged
    // for weights a finite-difference step away.
    let dps = d.Parameters |> List.filter (fun p -> p.Shape.Length = 4) |> List.fold (fun (m: Params<'T>) p ->
                  Map.add (Discriminator.stateName p.Name) (snd (SpectralNorm.estimate b 300 m.[p.Name] m.[Discriminator.stateName p.Name])) m) dps
    let px = Generator.pixels b false 2 8 8
    let z = b.tensor (Generator.latents tinyGenerator.LatentDim 2 7L) [| 2; tinyGenerator.LatentDim |]
    let real = b.tensor (Array.init (2 * 2 * 64) (fun i -> cos (0.37 * float i))) [| 2; 2; 8; 8 |]
    let gNames, dNames = g.Parameters |> List.map (fun p -> p.Name), d.Parameters |> List.map (fun p -> p.Name)
    let withValues (ps: Params<'T>) names (values: 'T list) = List.fold2 (fun m n v -> Map.add n v m) ps names values
    let score (dps: Params<'T>) x = fst (Discriminator.scores b d dps x)
    let sum (xs: 'T list) = xs |> List.reduce b.add
    let gLoss (values: 'T list) =
        let fake = Generator.images b g (withValues gps gNames values) px z
        sum (score dps fake |> List.map (Losses.generator b))
    let fake = Generator.images b g gps px z
    let dLoss (values: 'T list) =
        let dps = withValues dps dNames values
        sum (List.map2 (Losses.discriminator b) (score dps real) (score dps fake))
    let valuesOf names (ps: Params<'T>) = names |> List.map (fun n -> b.toArray ps.[n])
    let shapesOf names (ps: Params<'T>) = names |> List.map (fun n -> b.shape ps.[n])
    (gLoss, shapesOf gNames gps, valuesOf gNames gps), (dLoss, shapesOf dNames dps, valuesOf dNames dps)

[<Fact>]
let ``the generator's loss gradient equals finite differences (reference) and torch's`` () =
    let (f, shapes, args), _ = losses reference 1
    Assert.True(gradientsMatchDifferences f shapes args)
    use _ = torch.scope ()
    let (ft, _, _), _ = losses torch 1
    let _, rg = reference.valueAndGrad f (List.map2 reference.tensor args shapes)
    let _, tg = torch.valueAndGrad ft (List.map2 torch.tensor args shapes)
    Assert.True(List.forall2 (fun r t -> closeTo 1e-9 (reference.toArray r) (torch.toArray t)) rg tg)

/// With u converged, σ̂ is stationary in u and v, so holding them constant (the paper's gradient) is the full
/// derivative and finite differences must agree.
[<Fact>]
let ``the discriminator's loss gradient equals finite differences once u has converged (reference) and torch's`` () =
    let _, (f, shapes, args) = losses reference 4
    Assert.True(gradientsMatchDifferences f shapes args)
    use _ = torch.scope ()
    let _, (ft, _, _) = losses torch 4
    let _, rg = reference.valueAndGrad f (List.map2 reference.tensor args shapes)
    let _, tg = torch.valueAndGrad ft (List.map2 torch.tensor args shapes)
    Assert.True(List.forall2 (fun r t -> closeTo 1e-9 (reference.toArray r) (torch.toArray t)) rg tg)

[<Fact>]
let ``the CPU-scale rows have about equal parameters, and Ours no more multiply-adds per pixel`` () =
    let peCe, ours = Presets.quick 32 1
    let count spec = let g = Generator.create reference spec in Generator.parameterCount g, g.MultiplyAdds
    let (pc, mc), (po, mo) = count peCe, count ours
    Assert.True(abs (float po - float pc) / float pc < 0.05, $"PE + CE {pc}, Ours {po} parameters")
    Assert.True(mo <= mc, $"PE + CE {mc}, Ours {mo} multiply-adds per pixel")
