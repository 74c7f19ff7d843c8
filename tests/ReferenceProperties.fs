module LoE.Tests.ReferenceProperties

open FsCheck.FSharp
open FsCheck.Xunit
open LoE.Core
open LoE.Tests.Generators

let reference = ReferenceBackend.create ()

/// The differentiable ops of the tensor API, applied the same way on any backend.
type Op =
    | Add | Sub | Mul | Div
    | Scale of float
    | AddScalar of float
    | Sqrt | Sin | Cos
    | LeakyRelu of float
    | Matmul
    | Concat
    | Sum
    | Exp | Sigmoid | CumsumLast | SumLast
    /// The shape's axes in reverse order (the same size, another shape).
    | Reshape
    /// Fractions of the last axis that pick a start and a length inside it.
    | NarrowLast of float * float

/// Start and length inside a last axis of `shape` from two fractions.
let narrowed (shape: int[]) (s: float) (l: float) =
    let k = Array.last shape
    let start = min (k - 1) (int (s * float k))
    start, 1 + min (k - start - 1) (int (l * float (k - start)))

let apply (b: Backend<'T>) (op: Op) (args: 'T list) : 'T =
    match op, args with
    | Add, [ x; y ] -> b.add x y
    | Sub, [ x; y ] -> b.sub x y
    | Mul, [ x; y ] -> b.mul x y
    | Div, [ x; y ] -> b.div x y
    | Scale s, [ x ] -> b.scale s x
    | AddScalar s, [ x ] -> b.addScalar s x
    | Sqrt, [ x ] -> b.sqrt x
    | Sin, [ x ] -> b.sin x
    | Cos, [ x ] -> b.cos x
    | LeakyRelu s, [ x ] -> b.leakyRelu s x
    | Matmul, [ x; y ] -> b.matmul x y
    | Concat, xs -> b.concatLast xs
    | Sum, [ x ] -> b.sum x
    | Exp, [ x ] -> b.exp x
    | Sigmoid, [ x ] -> b.sigmoid x
    | CumsumLast, [ x ] -> b.cumsumLast x
    | SumLast, [ x ] -> b.sumLast x
    | Reshape, [ x ] -> b.reshape (Array.rev (b.shape x)) x
    | NarrowLast (s, l), [ x ] -> let start, length = narrowed (b.shape x) s l in b.narrowLast start length x
    | _ -> invalidArg "args" $"wrong arguments for {op}"

/// One op with operand shapes and values, and a probe of the output's shape.
type OpCase = { Op: Op; Shapes: int[] list; Args: float[] list; Probe: float[] }

let private size (shape: int[]) = Array.fold (*) 1 shape

/// Values away from 0 where the op has a kink or a pole there (leaky ReLU, divisors, square roots), so finite
/// differences are valid.
let private awayFromZero lo hi = gen {
    let! v = floatIn lo hi
    let! negative = Gen.elements [ false; true ]
    return if negative then -v else v }

/// Operand shapes of the broadcasting the models use: equal, [n;m]∘[m], [n;m]∘[n;1], scalars, and both
/// operands stretched at once.
let private broadcastShapes = gen {
    let! n = Gen.choose (1, 4)
    let! m = Gen.choose (1, 4)
    let! k = Gen.choose (1, 3)
    let! pair =
        Gen.elements
            [ [| n; m |], [| n; m |]
              [| n; m |], [| m |]
              [| m |], [| n; m |]
              [| n; m |], [| n; 1 |]
              [| n; 1 |], [| n; m |]
              [| n; m |], [||]
              [||], [| n; m |]
              [| n; m |], [| 1; m |]
              [| k; 1; m |], [| n; 1 |]
              [| n; 1 |], [| 1; m |] ]
    return [ fst pair; snd pair ] }

let private outputShape (op: Op) (shapes: int[] list) =
    match op, shapes with
    | (Add | Sub | Mul | Div), [ a; b ] ->
        let r = max a.Length b.Length
        let dim (s: int[]) i = if i < r - s.Length then 1 else s.[i - (r - s.Length)]
        Array.init r (fun i -> max (dim a i) (dim b i))
    | Matmul, [ a; b ] -> [| a.[0]; b.[1] |]
    | Concat, s :: _ -> [| s.[0]; shapes |> List.sumBy (fun s -> s.[1]) |]
    | Sum, _ -> [||]
    | SumLast, [ a ] -> a.[.. a.Length - 2]
    | Reshape, [ a ] -> Array.rev a
    | NarrowLast (s, l), [ a ] -> Array.append a.[.. a.Length - 2] [| snd (narrowed a s l) |]
    | _, [ a ] -> a
    | _ -> invalidArg "shapes" "unexpected shapes"

let opCase = gen {
    let! op =
        Gen.oneof
            [ Gen.elements [ Add; Sub; Mul; Div; Sqrt; Sin; Cos; Matmul; Concat; Sum; Exp; Sigmoid; CumsumLast; SumLast; Reshape ]
              Gen.map2 (fun s l -> NarrowLast(s, l)) (floatIn 0.0 0.999) (floatIn 0.0 0.999)
              floatIn -3.0 3.0 |> Gen.map Scale
              floatIn -3.0 3.0 |> Gen.map AddScalar
              floatIn 0.0 0.5 |> Gen.map LeakyRelu ]
    let! n = Gen.choose (1, 4)
    let! m = Gen.choose (1, 4)
    let! shapes =
        match op with
        | Add | Sub | Mul | Div -> broadcastShapes
        | Matmul -> Gen.choose (1, 4) |> Gen.map (fun k -> [ [| n; k |]; [| k; m |] ])
        | Concat -> Gen.listOfLength 3 (Gen.choose (1, 3)) |> Gen.bind (fun ws -> Gen.choose (1, 3) |> Gen.map (fun count -> ws |> List.truncate count |> List.map (fun w -> [| n; w |])))
        | _ -> Gen.elements [ [ [| n; m |] ]; [ [| m |] ]; [ [| 2; n; m |] ] ]
    let value i =
        match op with
        | Sqrt -> floatIn 0.2 2.0
        | Div when i = 1 -> awayFromZero 0.3 2.0
        | LeakyRelu _ -> awayFromZero 0.01 2.0
        | _ -> floatIn -2.0 2.0
    let! args = shapes |> List.mapi (fun i s -> Gen.arrayOfLength (size s) (value i)) |> Gen.sequenceToList
    let! probe = Gen.arrayOfLength (size (outputShape op shapes)) (floatIn -1.0 1.0)
    return { Op = op; Shapes = shapes; Args = args; Probe = probe } }

/// sum(op(args) ∘ probe): a scalar that weighs every output differently, so every output's gradient counts.
let probed (b: Backend<'T>) (c: OpCase) (ts: 'T list) : 'T =
    let y = apply b c.Op ts
    b.sum (b.mul y (b.tensor c.Probe (b.shape y)))

let closeTo tolerance (actual: float[]) (expected: float[]) =
    actual.Length = expected.Length
    && Array.forall2 (fun a e -> abs (a - e) <= tolerance * (1.0 + abs e)) actual expected

/// The reference gradients of f at args equal central finite differences.
let gradientsMatchDifferences (f: ReferenceBackend.T list -> ReferenceBackend.T) (shapes: int[] list) (args: float[] list) =
    let b = reference
    let _, grads = b.valueAndGrad f (List.map2 b.tensor args shapes)
    let numeric = GradientProperties.centralDifferences (fun xs -> f (List.map2 b.tensor xs shapes) |> Backend.scalar b) args 1e-6
    List.forall2 (fun g fd -> closeTo 1e-6 (b.toArray g) fd) grads numeric

[<Property(MaxTest = 300)>]
let ``reference gradients of every op equal central finite differences`` () =
    forAll opCase (fun c ->
        gradientsMatchDifferences (probed reference c) c.Shapes c.Args
        |> Prop.label $"{c.Op} on %A{c.Shapes}")

/// A position-dependent layer in `dims` dimensions: routing, operand shapes and values, and an output probe.
let expertCase (dims: int) (interp: Interpolation) = gen {
    let! t = Gen.arrayOfLength dims (Gen.choose (1, 3))
    let! m = affine dims
    let! n = Gen.choose (1, 6)
    let! coords = Gen.arrayOfLength (n * dims) (floatIn 0.0 1.0)
    let! inW = Gen.choose (1, 3)
    let! outW = Gen.choose (1, 3)
    let e = Grid.experts t
    let! w = Gen.arrayOfLength (e * inW * outW) (floatIn -1.0 1.0)
    let! bias = Gen.arrayOfLength (e * outW) (floatIn -1.0 1.0)
    let! x = Gen.arrayOfLength (n * inW) (floatIn -1.0 1.0)
    let! probe = Gen.arrayOfLength (n * outW) (floatIn -1.0 1.0)
    return Grid.route interp m t coords, [ [| e; inW; outW |]; [| e; outW |]; [| n; inW |] ], [ w; bias; x ], probe }

/// One layer case for each of 1, 2 and 3 dimensions, nearest and N-linear, so every property run covers all six.
let everyExpertKind =
    [ for dims in 1 .. 3 do
        for interp in [ Interpolation.Nearest; Interpolation.NLinear; Interpolation.NLinearCentred ] -> expertCase dims interp ]
    |> Gen.sequenceToList

let expertLoss (b: Backend<'T>) (r: Routing) (probe: float[]) (ts: 'T list) =
    let y = b.expertLinear (Backend.routed b false r) ts.[0] ts.[1] ts.[2]
    b.sum (b.mul y (b.tensor probe (b.shape y)))

[<Property(MaxTest = 40)>]
let ``reference expert-linear gradients (weights, bias, inputs) equal central finite differences in 1-3 dimensions, nearest and N-linear`` () =
    forAll everyExpertKind (fun cases ->
        cases |> List.forall (fun (r, shapes, args, probe) -> gradientsMatchDifferences (expertLoss reference r probe) shapes args))

[<Property(MaxTest = 40)>]
let ``reference expert-linear equals the per-coordinate weighted sum of experts`` () =
    forAll everyExpertKind (fun cases ->
        cases |> List.forall (fun (r, shapes, args, _) ->
            let inW, outW = shapes.[0].[1], shapes.[0].[2]
            let y = reference.expertLinear (Backend.routed reference false r) (reference.tensor args.[0] shapes.[0]) (reference.tensor args.[1] shapes.[1]) (reference.tensor args.[2] shapes.[2])
            closeTo 1e-12 (reference.toArray y) (TilingProperties.referenceExpertLinear r args.[0] args.[1] args.[2] inW outW)))

/// A learnable-embedding lookup in 1-3 dimensions: lattice routing, a table [cells; C], and an output probe.
let interpolateCase = gen {
    let! dims = Gen.choose (1, 3)
    let! resolution = Gen.choose (2, 4)
    let! n = Gen.choose (1, 6)
    let! coords = Gen.arrayOfLength (n * dims) (floatIn 0.0 1.0)
    let! channels = Gen.choose (1, 3)
    let cells = pown resolution dims
    let! table = Gen.arrayOfLength (cells * channels) (floatIn -1.0 1.0)
    let! probe = Gen.arrayOfLength (n * channels) (floatIn -1.0 1.0)
    return Grid.lattice resolution dims coords, [ [| cells; channels |] ], [ table ], probe }

let interpolateLoss (b: Backend<'T>) (r: Routing) (probe: float[]) (ts: 'T list) =
    let y = b.interpolate (Backend.routed b false r) ts.[0]
    b.sum (b.mul y (b.tensor probe (b.shape y)))

[<Property(MaxTest = 100)>]
let ``reference embedding-interpolation gradients equal central finite differences in 1-3 dimensions`` () =
    forAll interpolateCase (fun (r, shapes, args, probe) -> gradientsMatchDifferences (interpolateLoss reference r probe) shapes args)

[<Property(MaxTest = 60)>]
let ``a gradient flowing into one tensor along several paths is the sum over the paths`` () =
    // x appears in both operands of a product and again through a sum: d/dx sum(x∘x + 3x) = 2x + 3.
    forAll (Gen.choose (1, 6) |> Gen.bind (fun n -> Gen.arrayOfLength n (floatIn -2.0 2.0))) (fun x ->
        let b = reference
        let _, grads = b.valueAndGrad (fun ts -> b.sum (b.add (b.mul ts.[0] ts.[0]) (b.scale 3.0 ts.[0]))) [ b.tensor x [| x.Length |] ]
        closeTo 1e-12 (b.toArray grads.[0]) (x |> Array.map (fun v -> 2.0 * v + 3.0)))
