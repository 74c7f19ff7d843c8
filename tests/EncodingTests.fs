module LoE.Tests.EncodingTests

open FsCheck.FSharp
open FsCheck.Xunit
open Xunit
open LoE.Core
open LoE.Tests.Generators

[<Fact>]
let ``the encoding's width is d + 2 d L`` () =
    Assert.Equal(1, Encoding.peWidth 1 0)
    Assert.Equal(14, Encoding.peWidth 2 3)
    Assert.Equal(54, Encoding.peWidth 2 13)
    Assert.Equal(63, Encoding.peWidth 3 10)

[<Fact>]
let ``one-dimensional encoding, by hand: (p, sin(pi p), cos(pi p), sin(2 pi p), cos(2 pi p), ...)`` () =
    // p = 1/6: angles pi/6, pi/3, 2 pi/3, 4 pi/3.
    let r3 = sqrt 3.0 / 2.0
    let expected = [| 1.0 / 6.0; 0.5; r3; r3; 0.5; r3; -0.5; -r3; -0.5 |]
    let actual = Encoding.positional 1 4 [| 1.0 / 6.0 |]
    Assert.Equal(expected.Length, actual.Length)
    Array.iter2 (fun (e: float) (a: float) -> Assert.Equal(e, a, 12)) expected actual

[<Fact>]
let ``two-dimensional encoding of two points, by hand, negative coordinates included`` () =
    // Order within a row: the raw coordinate, then per frequency l = 0 .. L-1 and per dimension i the pair
    // (sin(2^l pi p_i), cos(2^l pi p_i)). A dense first layer does not care about the order; the values do.
    let r2, r3 = sqrt 2.0 / 2.0, sqrt 3.0 / 2.0
    // (1/6, -1/4): angles pi/6, pi/3, 2pi/3 and -pi/4, -pi/2, -pi.
    let first = [| 1.0 / 6.0; -0.25;  0.5; r3; -r2; r2;  r3; 0.5; -1.0; 0.0;  r3; -0.5; 0.0; -1.0 |]
    // (1/2, 1): angles pi/2, pi, 2pi and pi, 2pi, 4pi.
    let second = [| 0.5; 1.0;  1.0; 0.0; 0.0; -1.0;  0.0; -1.0; 0.0; 1.0;  0.0; 1.0; 0.0; 1.0 |]
    let actual = Encoding.positional 2 3 [| 1.0 / 6.0; -0.25; 0.5; 1.0 |]
    Assert.Equal(28, actual.Length)
    Array.iter2 (fun (e: float) (a: float) -> Assert.Equal(e, a, 12)) (Array.append first second) actual

[<Property(MaxTest = 100)>]
let ``every encoded feature is sin or cos of 2^l pi p for its own coordinate, in 1-3 dimensions`` () =
    let case = gen {
        let! d = dims
        let! l = Gen.choose (0, 6)
        let! n = Gen.choose (1, 5)
        let! coords = coordinates d n -1.0 2.0
        return d, l, n, coords }
    forAll case (fun (d, frequencies, n, coords) ->
        let out = Encoding.positional d frequencies coords
        let w = d + 2 * d * frequencies
        out.Length = n * w
        && Seq.forall (fun j ->
            Seq.forall (fun i ->
                let p = coords.[j * d + i]
                out.[j * w + i] = p
                && Seq.forall (fun l ->
                    let angle = float (1 <<< l) * System.Math.PI * p
                    let at k = out.[j * w + d + 2 * (l * d + i) + k]
                    abs (at 0 - sin angle) < 1e-12 && abs (at 1 - cos angle) < 1e-12) [ 0 .. frequencies - 1 ]) [ 0 .. d - 1 ]) [ 0 .. n - 1 ])
