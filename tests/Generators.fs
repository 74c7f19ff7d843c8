module LoE.Tests.Generators

// One test at a time: libtorch is process-global (its thread pool, set_num_threads), and the test host crashed
// natively now and then while tests on several threads trained, set threads and freed tensors at once.
[<assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)>]
do ()

open FsCheck
open FsCheck.FSharp
open LoE.Core

/// A finite float in [lo, hi].
let floatIn lo hi = Gen.choose (0, 1_000_000) |> Gen.map (fun k -> lo + (hi - lo) * float k / 1e6)

/// A number of input dimensions: every one of 1, 2 and 3.
let dims = Gen.choose (1, 3)

/// A tile: 1 to 3 dimensions, 1 to 4 experts each.
let tile = gen {
    let! d = dims
    return! Gen.arrayOfLength d (Gen.choose (1, 4)) }

/// An affine map in `dims` dimensions with entries large enough to wrap many times, including negative ones.
let affine dims = gen {
    let! a = Gen.arrayOfLength (dims * dims) (floatIn -40.0 40.0)
    let! b = Gen.arrayOfLength dims (floatIn -5.0 5.0)
    return { A = Array2D.init dims dims (fun r c -> a.[r * dims + c]); B = b } }

/// Every interpolation: nearest, the paper's N-linear (experts at vertices) and the cell-centred N-linear.
let interpolation = Gen.elements [ Interpolation.Nearest; Interpolation.NLinear; Interpolation.NLinearCentred ]

let point dims = Gen.arrayOfLength dims (floatIn 0.0 1.0)

/// A tile, an affine map and a coordinate that fit together.
let tiledPoint = gen {
    let! t = tile
    let! m = affine t.Length
    let! p = point t.Length
    return t, m, p }

/// Where a grid position falls inside its cell: the fractional part of u. Borders (0, and within 1e-12 of
/// either side of a whole number) and the half-cell line (where N-linear changes neighbours) come up often.
let cellFraction =
    Gen.frequency [
        3, Gen.constant 0.0
        2, Gen.constant 1e-12
        2, Gen.constant (1.0 - 1e-12)
        2, Gen.constant 0.5
        1, Gen.constant (0.5 - 1e-12)
        1, Gen.constant (0.5 + 1e-12)
        4, floatIn 0.0 0.999999 ]

/// A grid position u = cell + fraction per dimension, kept as its two exact parts so a test's expectation
/// never goes through floor.
type GridPosition = { Cell: int[]; Fraction: float[] }

module GridPosition =
    let value (u: GridPosition) = Array.map2 (fun c f -> float c + f) u.Cell u.Fraction

/// A coordinate on a grid position chosen first: a full (non-diagonal, sign-mixed, sometimes singular) A with
/// dyadic entries, a dyadic coordinate in [-1, 2] (negative coordinates too), and b solved so that A p + b
/// lands on u. Dyadic A and p make A p exact, so whole-number positions are hit exactly, not nearly.
type OnGrid = { Tile: int[]; Map: AffineMap; P: float[]; U: GridPosition }

let onGrid = gen {
    let! t = tile
    let d = t.Length
    let! a = Gen.arrayOfLength (d * d) (Gen.frequency [ 1, Gen.constant 0; 6, Gen.choose (-320, 320) ])
    let! p = Gen.arrayOfLength d (Gen.choose (-1024, 2048))
    let! cells = Gen.arrayOfLength d (Gen.choose (-20, 20))
    let! fractions = Gen.arrayOfLength d cellFraction
    let A = Array2D.init d d (fun r c -> float a.[r * d + c] / 8.0)
    let p = p |> Array.map (fun k -> float k / 1024.0)
    let u = { Cell = cells; Fraction = fractions }
    let target = GridPosition.value u
    let b = Array.init d (fun r -> target.[r] - Seq.sum (seq { for c in 0 .. d - 1 -> A.[r, c] * p.[c] }))
    return { Tile = t; Map = { A = A; B = b }; P = p; U = u } }

/// `onGrid` with its map's b moved by `delta` in every dimension (u moves by delta).
let shifted (g: OnGrid) (delta: float) = { g.Map with B = g.Map.B |> Array.map (fun b -> b + delta) }

/// A batch of coordinates in [lo, hi]^d (row-major n × d), some of them exactly on the dyadic lattice k/16
/// so that batched code meets cell borders under scales that are powers of two.
let coordinates (d: int) (n: int) (lo: float) (hi: float) =
    let one = Gen.frequency [ 2, floatIn lo hi; 1, Gen.choose (int (lo * 16.0), int (hi * 16.0)) |> Gen.map (fun k -> float k / 16.0) ]
    Gen.arrayOfLength (n * d) one

/// The same as FsCheck's Prop.forAll, with a generator rather than an Arbitrary.
let forAll gen f = Prop.forAll (Arb.fromGen gen) f

/// The repository's root folder (the one holding LoE.sln), found upwards from the test binaries.
let repoRoot =
    let rec up (d: System.IO.DirectoryInfo) =
        if System.IO.File.Exists(System.IO.Path.Combine(d.FullName, "LoE.sln")) then d.FullName else up d.Parent
    up (System.IO.DirectoryInfo System.AppContext.BaseDirectory)
