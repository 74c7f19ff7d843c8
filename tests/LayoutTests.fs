module LoE.Tests.LayoutTests

open FsCheck.FSharp
open FsCheck.Xunit
open Xunit
open LoE.Core
open LoE.Tests.Generators

// Expected values are typed from the paper's tables (../shared/paper/loe-supplementary.txt), layer by layer,
// not derived from Layouts.fs. Every entry of A (the off-diagonal ones and the second dimension) and of b is
// checked.

/// Every layer's map is s_i I with offset o in every dimension.
let private assertScaled (dims: int) (scales: float[]) (offset: float) (maps: AffineMap[]) =
    Assert.Equal(scales.Length, maps.Length)
    maps |> Array.iteri (fun i m ->
        let expectedA = Array2D.init dims dims (fun r c -> if r = c then scales.[i] else 0.0)
        Assert.Equal<float[,]>(expectedA, m.A)
        Assert.Equal<float[]>(Array.create dims offset, m.B))

[<Fact>]
let ``Table 5: PE MLP is 0 I, b = 0 on all 9 layers`` () =
    assertScaled 2 (Array.zeroCreate 9) 0.0 (Layouts.preset "pe-mlp" 9 2 16.0 0)

[<Fact>]
let ``Table 5: quad tree is 2^i I, b = 0`` () =
    assertScaled 2 [| 2.0; 4.0; 8.0; 16.0; 32.0; 64.0; 128.0; 256.0; 512.0 |] 0.0 (Layouts.preset "quad-tree" 9 2 16.0 0)

[<Fact>]
let ``Table 5: gray code is 2 I then 2^(i-1) I, b = (0.5, 0.5)`` () =
    assertScaled 2 [| 2.0; 2.0; 4.0; 8.0; 16.0; 32.0; 64.0; 128.0; 256.0 |] 0.5 (Layouts.preset "gray-code" 9 2 16.0 0)

[<Fact>]
let ``gray-code-exact's layers read the binary-reflected Gray code of the pixel index, top bit first`` () =
    // Independent of Layouts.fs: the Gray code of x is x xor (x >> 1); layer i of 9 must give bit 9 - i of it for
    // every pixel centre of a 512-pixel row (the literal gray-code repeats layer 1 on layer 2 and cannot).
    let maps = Layouts.preset "gray-code-exact" 9 2 16.0 0
    for x in 0 .. 511 do
        let gray = x ^^^ (x >>> 1)
        let p = [| (float x + 0.5) / 512.0; 0.3 |]
        maps |> Array.iteri (fun l m ->
            Assert.Equal((gray >>> (8 - l)) &&& 1, (Grid.nearestIndex m [| 2; 2 |] p).[0]))
    let literal = Layouts.preset "gray-code" 9 2 16.0 0
    Assert.Equal<float[]>(literal.[0].B, literal.[1].B)
    Assert.Equal<float[,]>(literal.[0].A, literal.[1].A)

[<Fact>]
let ``Table 5: fine to coarse is 2^(10-i) I, b = 0`` () =
    assertScaled 2 [| 512.0; 256.0; 128.0; 64.0; 32.0; 16.0; 8.0; 4.0; 2.0 |] 0.0 (Layouts.preset "fine-to-coarse" 9 2 16.0 0)

[<Fact>]
let ``Table 5: random permute is 2^arr[i] I with arr = [3, 8, 1, 9, 6, 2, 5, 4, 7], b = 0`` () =
    assertScaled 2 [| 8.0; 256.0; 2.0; 512.0; 64.0; 4.0; 32.0; 16.0; 128.0 |] 0.0 (Layouts.preset "random-permute" 9 2 16.0 0)

[<Fact>]
let ``section C: grid resolutions 2, 8, 32, 128, 512 are A = resolution I in 3 dimensions, b = 0`` () =
    assertScaled 3 [| 2.0; 8.0; 32.0; 128.0; 512.0 |] 0.0 (Layouts.scales 3 [| 2.0; 8.0; 32.0; 128.0; 512.0 |])

[<Fact>]
let ``Table 6 at 8192²: interleaved 8192 I, chunked 4 I, coarse-to-fine 4 I then 4^(i-1)·2 I, b = 0`` () =
    let at name = Layouts.sized name 7 2 0.0 0 [| 8192; 8192 |]
    assertScaled 2 (Array.create 7 8192.0) 0.0 (at "interleaved")
    assertScaled 2 (Array.create 7 4.0) 0.0 (at "chunked")
    assertScaled 2 [| 4.0; 8.0; 32.0; 128.0; 512.0; 2048.0; 8192.0 |] 0.0 (at "coarse-to-fine")

[<Fact>]
let ``Table 6's cap applies per dimension: a 300 × 100 image caps x at 300 and y at 100`` () =
    let maps = Layouts.sized "coarse-to-fine" 7 2 0.0 0 [| 300; 100 |]
    let diag = maps |> Array.map (fun m -> m.A.[0, 0], m.A.[1, 1])
    Assert.Equal<(float * float)[]>(
        [| 4.0, 4.0; 8.0, 8.0; 32.0, 32.0; 128.0, 100.0; 300.0, 100.0; 300.0, 100.0; 300.0, 100.0 |], diag)
    Assert.True(maps |> Array.forall (fun m -> m.A.[0, 1] = 0.0 && m.A.[1, 0] = 0.0 && m.B = [| 0.0; 0.0 |]))

/// Sample mean and standard deviation.
let private moments (xs: float[]) =
    let mean = Array.average xs
    mean, sqrt (xs |> Array.averageBy (fun x -> (x - mean) * (x - mean)))

/// Table 5's random affine: a_i, b_i, c_i, d_i ~ N(0, std²) (all four entries, each on its own), and
/// m_i, n_i ~ U(0, 1) (each offset on its own, independent of the other).
let private assertRandomAffine (std: float) (maps: AffineMap[]) =
    let n = float maps.Length
    for r in 0 .. 1 do
        for c in 0 .. 1 do
            let entries = maps |> Array.map (fun m -> m.A.[r, c])
            let mean, sd = moments entries
            // Standard errors: std / sqrt n for the mean, std / sqrt (2 n) for the deviation; 4.5 of them allowed.
            Assert.True(abs mean <= 4.5 * std / sqrt n, $"A[{r},{c}] mean {mean}")
            Assert.True(abs (sd - std) <= 4.5 * std / sqrt (2.0 * n), $"A[{r},{c}] deviation {sd}, expected {std}")
            // Normal, not just the right spread: 68.27% within one deviation (a uniform of that spread: 57.7%).
            let within = (entries |> Array.filter (fun a -> abs a < std) |> Array.length |> float) / n
            Assert.True(abs (within - 0.6827) <= 4.5 * sqrt (0.6827 * 0.3173 / n), $"A[{r},{c}]: {within} within one deviation")
    for r in 0 .. 1 do
        let offsets = maps |> Array.map (fun m -> m.B.[r])
        let mean, sd = moments offsets
        Assert.True(offsets |> Array.forall (fun b -> 0.0 <= b && b < 1.0), $"b[{r}] outside [0, 1)")
        Assert.True(abs (mean - 0.5) <= 4.5 * sqrt (1.0 / 12.0 / n), $"b[{r}] mean {mean}")
        Assert.True(abs (sd - sqrt (1.0 / 12.0)) <= 0.01, $"b[{r}] deviation {sd}, expected {sqrt (1.0 / 12.0)}")
    // The two offsets (and the entries of A) of a layer are independent draws.
    let m, nn = maps |> Array.map (fun m -> m.B.[0]), maps |> Array.map (fun m -> m.B.[1])
    let (mm, ms), (nm, ns) = moments m, moments nn
    let correlation = Array.map2 (fun a b -> (a - mm) * (b - nm)) m nn |> Array.average |> fun c -> c / (ms * ns)
    Assert.True(abs correlation <= 4.5 / sqrt n, $"m_i and n_i correlate: {correlation}")
    Assert.True(maps |> Array.forall (fun m -> m.A.[0, 1] <> m.A.[1, 0] && m.A.[0, 0] <> m.A.[1, 1]))

[<Fact>]
let ``Table 5: random affine draws every entry of A from N(0, 16²) and b from U(0, 1)`` () =
    assertRandomAffine 16.0 (Layouts.preset "random-affine" 3000 2 16.0 11)

[<Fact>]
let ``Table 6: random affine draws every entry of A from N(0, 256²) and b from U(0, 1), uncapped`` () =
    // Table 6 gives random affine no cap (only the coarse-to-fine rows carry the †).
    assertRandomAffine 256.0 (Array.init 500 (fun seed -> Layouts.sized "random-affine" 7 2 256.0 seed [| 512; 512 |]) |> Array.concat)

[<Fact>]
let ``random affine is reproducible from the seed and differs between seeds`` () =
    let entries seed = Layouts.preset "random-affine" 9 2 16.0 seed |> Array.collect (fun m -> Array.append (Seq.cast<float> m.A |> Array.ofSeq) m.B)
    Assert.Equal<float[]>(entries 7, entries 7)
    Assert.NotEqual<float[]>(entries 7, entries 8)

[<Property(MaxTest = 30)>]
let ``at the cap no two pixel centres of one layer share a grid cell`` () =
    forAll (Gen.choose (1, 64)) (fun side ->
        let coords = Grid.pixelCentres side side
        Layouts.sized "coarse-to-fine" 7 2 0.0 0 [| side; side |]
        |> Array.forall (fun m ->
            let s = m.A.[0, 0]
            // Cells per unit never exceed pixels per unit.
            s <= float side
            && (s < float side || (Seq.init (side * side) (fun i -> floor (s * coords.[2 * i]), floor (s * coords.[2 * i + 1])) |> Seq.distinct |> Seq.length) = side * side)))

