/// The backend ops the GAN adds (conv2d, 2 × 2 average pooling, permute, detach, assign): torch float64 and the
/// reference agree on values and gradients, and the reference's gradients equal finite differences.
module LoE.Tests.GanOpsTests

open FsCheck.FSharp
open FsCheck.Xunit
open Xunit
open LoE.Core
open LoE.Tests.Generators
open LoE.Tests.ReferenceProperties

let private torch = TilingProperties.torch64
let private torch32 = TorchBackend.create "cpu" false

/// An op of the GAN with its operand shapes and values, and an output probe.

type private Op =
    | Conv of stride: int * padding: int
    | Pool
    | Permute of int[]

let private size (s: int[]) = Array.fold (*) 1 s

let private apply (b: Backend<'T>) (op: Op) (args: 'T list) : 'T =
    match op, args with
    | Conv(s, p), [ x; w; bias ] -> b.conv2d s p x w bias
    | Pool, [ x ] -> b.avgPool2 x
    | Permute perm, [ x ] -> b.permute perm x
    | _ -> failwith "operands do not fit the op"

let private values (shape: int[]) = Gen.arrayOfLength (size shape) (floatIn -1.0 1.0)

/// Small convolutions around the discriminator's (3 × 3, stride 2, padding 1), pools and permutations.
let private opCase = gen {
    let! kind = Gen.choose (0, 2)
    match kind with
    | 0 ->
        let! n, c, o = Gen.zip3 (Gen.choose (1, 2)) (Gen.choose (1, 3)) (Gen.choose (1, 3))
        let! k = Gen.elements [ 1; 2; 3 ]
        let! stride, padding = Gen.zip (Gen.choose (1, 2)) (Gen.choose (0, 1))
        let! h, w = Gen.zip (Gen.choose (max 1 (k - 2 * padding), 6)) (Gen.choose (max 1 (k - 2 * padding), 6))
        let shapes = [ [| n; c; h; w |]; [| o; c; k; k |]; [| o |] ]
        let! args = shapes |> List.map values |> Gen.sequenceToList
        return Conv(stride, padding), shapes, args
    | 1 ->
        let! n, c = Gen.zip (Gen.choose (1, 2)) (Gen.choose (1, 3))
        let! h, w = Gen.zip (Gen.choose (1, 3)) (Gen.choose (1, 3))
        let shape = [| n; c; 2 * h; 2 * w |]
        let! x = values shape
        return Pool, [ shape ], [ x ]
    | _ ->
        let! rank = Gen.choose (1, 4)
        let! shape = Gen.arrayOfLength rank (Gen.choose (1, 3))
        let! keys = Gen.arrayOfLength rank (Gen.choose (0, 1000))
        let perm = Array.init rank id |> Array.sortBy (fun i -> keys.[i], i)
        let! x = values shape
        return Permute perm, [ shape ], [ x ] }

/// sum(op(args) ∘ probe) with a probe fixed by the output's size: every output's gradient counts differently.
let private probed (b: Backend<'T>) (op: Op) (args: 'T list) : 'T =
    let y = apply b op args
    let shape = b.shape y
    b.sum (b.mul y (b.tensor (Array.init (size shape) (fun i -> sin (float i + 0.3))) shape))

let private valueAndGrads (b: Backend<'T>) (f: 'T list -> 'T) (shapes: int[] list) (args: float[] list) =
    use _ = b.scope ()
    let value, grads = b.valueAndGrad f (List.map2 b.tensor args shapes)
    value, grads |> List.map b.toArray

/// Torch tensors made outside a dispose scope are freed by .NET's finaliser whenever a collection runs, which
/// under heavy allocation on parallel test threads crashed the test host (SIGSEGV) now and then; every torch
/// computation of these tests runs inside a scope, so nothing it uses is finalised while native code reads it.
let private scoped (b: Backend<'T>) (f: unit -> 'R) : 'R =
    use _ = b.scope ()
    f ()

[<Property(MaxTest = 120)>]
let ``torch and reference agree on the GAN's ops' values and gradients`` () =
    forAll opCase (fun (op, shapes, args) ->
        let forward (b: Backend<'T>) = scoped b (fun () -> let y = apply b op (List.map2 b.tensor args shapes) in b.shape y, b.toArray y)
        let tv, tg = valueAndGrads torch (probed torch op) shapes args
        let rv, rg = valueAndGrads reference (probed reference op) shapes args
        let (ts, ty), (rs, ry) = forward torch, forward reference
        (ts = rs
         && closeTo 1e-9 ry ty
         && closeTo 1e-9 [| rv |] [| tv |] && List.forall2 (closeTo 1e-9) rg tg)
        |> Prop.label $"%A{op} on %A{shapes}")

/// libtorch 2.10's CPU conv2d in float32 returned wrong input gradients (NaN or garbage from freed memory) for
/// batches of more than one image at small sides (≤ 4, the discriminator's last layers); float64 was right, so
/// only a float32 check finds it. Batches up to 4 here, the discriminator's stacked real and fake included.
[<Property(MaxTest = 120)>]
let ``torch float32 agrees with the reference on the GAN's ops, batches of several images included`` () =
    forAll opCase (fun (op, shapes, args) ->
        let shapes = match op, shapes with | Conv _, x :: rest -> Array.append [| 2 * x.[0] |] x.[1..] :: rest | _ -> shapes
        let args = match op, args with | Conv _, x :: rest -> Array.append x (Array.map (fun v -> -v) x) :: rest | _ -> args
        let tv, tg = valueAndGrads torch32 (probed torch32 op) shapes args
        let rv, rg = valueAndGrads reference (probed reference op) shapes args
        (closeTo 1e-4 [| rv |] [| tv |] && List.forall2 (closeTo 1e-4) rg tg)
        |> Prop.label $"%A{op} on %A{shapes}")

[<Property(MaxTest = 120)>]
let ``reference gradients of the GAN's ops equal central finite differences`` () =
    forAll opCase (fun (op, shapes, args) ->
        gradientsMatchDifferences (probed reference op) shapes args |> Prop.label $"%A{op} on %A{shapes}")

[<Fact>]
let ``the discriminator's convolution halves the side: 3 × 3, stride 2, padding 1`` () =
    let y b = scoped b (fun () -> (b: Backend<'T>).conv2d 2 1 (b.fill 1.0 [| 1; 2; 8; 8 |]) (b.fill 1.0 [| 3; 2; 3; 3 |]) (b.fill 0.5 [| 3 |]) |> b.shape)
    Assert.Equal<int[]>([| 1; 3; 4; 4 |], y torch)
    Assert.Equal<int[]>([| 1; 3; 4; 4 |], y reference)

/// detach gives no gradient; assign writes values in place, and the tensor keeps its new values afterwards.
let private detachAndAssign (b: Backend<'T>) =
    use _ = b.scope ()
    let _, grads = b.valueAndGrad (fun xs -> let x = List.head xs in b.sum (b.mul x (b.detach x))) [ b.tensor [| 1.0; 2.0 |] [| 2 |] ]
    let target = b.tensor [| 0.0; 0.0 |] [| 2 |]
    b.assign target (b.tensor [| 3.0; -4.0 |] [| 2 |])
    b.toArray grads.Head, b.toArray target

[<Fact>]
let ``detach stops gradients and assign overwrites values in place, on both backends`` () =
    for grads, target in [ detachAndAssign torch; detachAndAssign reference ] do
        Assert.Equal<float[]>([| 1.0; 2.0 |], grads)
        Assert.Equal<float[]>([| 3.0; -4.0 |], target)
