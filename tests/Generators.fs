module LoE.Tests.Generators

open FsCheck
open FsCheck.FSharp
open LoE.Core

/// A finite float in [lo, hi].
let floatIn lo hi = Gen.choose (0, 1_000_000) |> Gen.map (fun k -> lo + (hi - lo) * float k / 1e6)

/// A tile: 1 to 3 dimensions, 1 to 4 experts each.
let tile = gen {
    let! d = Gen.choose (1, 3)
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

let forAll gen f = Prop.forAll (Arb.fromGen gen) f

/// The repository's root folder (the one holding LoE.sln), found upwards from the test binaries.
let repoRoot =
    let rec up (d: System.IO.DirectoryInfo) =
        if System.IO.File.Exists(System.IO.Path.Combine(d.FullName, "LoE.sln")) then d.FullName else up d.Parent
    up (System.IO.DirectoryInfo System.AppContext.BaseDirectory)
