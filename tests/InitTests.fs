module LoE.Tests.InitTests

open System
open FsCheck.FSharp
open FsCheck.Xunit
open Xunit
open LoE.Core
open LoE.Tests.Generators

/// The spread of draws from U(-bound, bound): mean 0, variance bound²/3, every |w| <= bound and the largest
/// close to it. 200k draws put the sample variance within 0.2% (one standard deviation) of bound²/3, so the 1%
/// tolerance below fails on any wrong factor above about 1.005 on the bound (a missing gain is 1.39).
let private assertUniform (bound: float) (draws: float[]) =
    let n = float draws.Length
    let mean = Array.average draws
    let variance = draws |> Array.averageBy (fun w -> w * w)
    let largest = draws |> Array.map abs |> Array.max
    Assert.True(largest <= bound, $"largest |w| {largest} above the bound {bound}")
    Assert.True(largest >= 0.999 * bound, $"largest |w| {largest} far below the bound {bound}")
    Assert.True(abs mean <= 0.01 * bound, $"mean {mean} for bound {bound}")
    Assert.True(abs (variance / (bound * bound / 3.0) - 1.0) <= 0.01, $"variance {variance}, expected {bound * bound / 3.0} (n = {n})")

let private draws = 200_000

[<Fact>]
let ``Kaiming uniform with LeakyReLU 0.2 draws from U(±sqrt(2/1.04) sqrt(3/fan_in))`` () =
    // Section A: "the uniform distribution variant of Kaiming initialization", with the LeakyReLU slope 0.2
    // of section B: gain sqrt(2 / (1 + 0.2²)). For fan_in 64: sqrt(2/1.04) * sqrt(3/64) = 0.30024028838453837.
    assertUniform 0.30024028838453837 (Init.kaimingUniform (Random(1)) 0.2 64 draws)

[<Fact>]
let ``Kaiming uniform with slope 0 (ReLU) draws from U(±sqrt(6/fan_in))`` () =
    // sqrt(2) * sqrt(3/64) = sqrt(6/64) = 0.3061862178478973; fan_in 512: sqrt(6/512) = 0.10825317547305482.
    assertUniform 0.3061862178478973 (Init.kaimingUniform (Random(2)) 0.0 64 draws)
    assertUniform 0.10825317547305482 (Init.kaimingUniform (Random(3)) 0.0 512 draws)

[<Fact>]
let ``SIREN's first layer draws from U(±1/fan_in)`` () =
    assertUniform (1.0 / 3.0) (Init.sirenFirst (Random(4)) 3 draws)

[<Fact>]
let ``SIREN's later layers draw from U(±sqrt(6/fan_in)/omega0)`` () =
    // sqrt(6/64) / 30 = 0.010206207261596574.
    assertUniform 0.010206207261596574 (Init.sirenHidden (Random(5)) 30.0 64 draws)

[<Fact>]
let ``torch's default linear bias draws from U(±1/sqrt(fan_in))`` () =
    assertUniform 0.125 (Init.linearBias (Random(6)) 64 draws)

[<Fact>]
let ``initialisers are reproducible from the seed and differ between seeds`` () =
    Assert.Equal<float[]>(Init.kaimingUniform (Random(7)) 0.2 16 100, Init.kaimingUniform (Random(7)) 0.2 16 100)
    Assert.NotEqual<float[]>(Init.kaimingUniform (Random(7)) 0.2 16 100, Init.kaimingUniform (Random(8)) 0.2 16 100)

[<Property(MaxTest = 30)>]
let ``SIREN's initial weights lie within ±1/in (first layer) and ±sqrt(6/in)/omega0 (others)`` () =
    forAll (Gen.zip (Gen.choose (1, 300)) (Gen.choose (0, 1000))) (fun (fanIn, seed) ->
        let first = Init.sirenFirst (Random(seed)) fanIn 500
        let hidden = Init.sirenHidden (Random(seed)) 30.0 fanIn 500
        first |> Array.forall (fun w -> abs w <= 1.0 / float fanIn)
        && hidden |> Array.forall (fun w -> abs w <= sqrt (6.0 / float fanIn) / 30.0)
        // and they use the range: some draw lands in its outer half.
        && first |> Array.exists (fun w -> abs w > 0.5 / float fanIn))

[<Fact>]
let ``a sine network's parameters follow SIREN's bounds layer by layer`` () =
    let spec =
        { ModelSpec.toy 0 [| 32; 32 |] [| 1; 1; 1 |] (Layouts.scales 3 [| 0.0; 0.0 |]) Interpolation.Nearest 0.2 with
            Input = InputMapping.Raw; Activation = Activation.Sine; Omega0 = 30.0 }
    let b = ReferenceBackend.create ()
    let ps = Component.init b (Networks.signal b spec 3) 0
    let maxAbs name = ps.[name] |> b.toArray |> Array.map abs |> Array.max
    Assert.True(maxAbs "layer01.weight" <= 1.0 / 3.0)
    Assert.True(maxAbs "layer02.weight" <= sqrt (6.0 / 32.0) / 30.0)
    Assert.True(maxAbs "layer03.weight" <= sqrt (6.0 / 32.0) / 30.0)
    Assert.Equal<int[]>([| 3; 32 |], b.shape ps.["layer01.weight"])

