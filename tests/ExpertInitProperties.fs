/// Expert initialisation (model.expert_init, gan.expert_init): with `replicated` every expert of a layer starts as
/// the one draw a dense layer of the same shape makes, so the LoE network at step 0 is the dense network of the
/// same seed, whatever its routing. Checked on the signal network, the radiance field and the GAN's generator.
module LoE.Tests.ExpertInitProperties

open FsCheck.FSharp
open FsCheck.Xunit
open LoE.Core
open LoE.Core.Gan
open LoE.Tests.Generators

let private torch64 = TilingProperties.torch64
let private reference = ReferenceBackend.create ()

let private close (a: float[]) (e: float[]) =
    a.Length = e.Length && Array.forall2 (fun x y -> abs (x - y) <= 1e-9 * (1.0 + abs y)) a e

/// A signal network with experts on full (non-diagonal) affine maps, so that points fall on many different
/// experts, with either bias form and either activation (SIREN's biases are drawn, not zero).
let private loeModel = gen {
    let! t = tile
    let d = t.Length
    let! depth = Gen.choose (1, 3)
    let! widths = Gen.arrayOfLength depth (Gen.choose (1, 5))
    let! layout = Gen.arrayOfLength depth (affine d)
    let! interp = interpolation
    let! shared = Gen.elements [ true; false ]
    let! sine = Gen.elements [ true; false ]
    let! freqs = Gen.choose (0, 3)
    let! n = Gen.choose (1, 20)
    let! coords = Gen.arrayOfLength (n * d) (floatIn 0.0 1.0)
    let! seed = Gen.choose (0, 10000)
    let spec =
        { ModelSpec.toy freqs widths t layout interp 0.2 with
            SharedBias = shared; ExpertInit = ExpertInit.Replicated
            Activation = (if sine then Activation.Sine else Activation.LeakyRelu) }
    return spec, coords, seed }

let private signalOutput (b: Backend<'T>) (spec: ModelSpec) (coords: float[]) (seed: int) =
    let network = Networks.signal b spec 2
    Component.forward network (Batch.create b false spec.Tile.Length coords) (Component.init b network seed) |> b.toArray

[<Property(MaxTest = 60)>]
let ``with replicated experts the LoE network at step 0 equals the dense network of the same seed, on both backends`` () =
    forAll loeModel (fun (spec, coords, seed) ->
        let dense = { spec with Tile = Array.map (fun _ -> 1) spec.Tile }
        let holds (b: Backend<'T>) = close (signalOutput b spec coords seed) (signalOutput b dense coords seed)
        holds torch64 && holds reference)

/// The guard against a property that holds for any initialiser: independent draws give another network as soon
/// as some point leaves expert 0 on some layer (the cases where none does are vacuous).
[<Property(MaxTest = 20)>]
let ``with independent experts the LoE network at step 0 differs from the dense one`` () =
    forAll loeModel (fun (spec, coords, seed) ->
        let tile = Array.map (fun _ -> 2) spec.Tile
        let spec =
            { spec with Tile = tile; ExpertInit = ExpertInit.Independent; Interpolation = Interpolation.Nearest
                        Activation = Activation.LeakyRelu }
        let dense = { spec with Tile = Array.map (fun _ -> 1) spec.Tile }
        let moved = spec.Layout |> Array.exists (fun m -> (Grid.route Interpolation.Nearest m tile coords).Experts |> Array.exists ((<>) 0))
        not moved || not (close (signalOutput reference spec coords seed) (signalOutput reference dense coords seed)))

[<Property(MaxTest = 15)>]
let ``with replicated experts the radiance field at step 0 equals the PE MLP field of the same seed, on both backends`` () =
    let case = gen {
        let! scales = Gen.arrayOfLength 2 (floatIn 1.0 16.0)
        let! n = Gen.choose (1, 16)
        let! points = Gen.arrayOfLength (3 * n) (floatIn 0.0 1.0)
        let! dirs = Gen.arrayOfLength (3 * n) (floatIn -1.0 1.0)
        let! seed = Gen.choose (0, 10000)
        return scales, points, dirs, seed }
    forAll case (fun (scales, points, dirs, seed) ->
        let loe = { NerfTests.tinyModel with Scales = scales; ExpertInit = ExpertInit.Replicated }
        let dense = { loe with ExpertLayers = 0; Tile = [| 1; 1; 1 |]; Scales = [||] }
        let output (b: Backend<'T>) (m: Nerf.NerfModel) =
            let field = Nerf.Field.create b "f" m
            let n = points.Length / 3
            let directions = Nerf.Field.encodeDirections b m (b.points dirs [| n; 3 |])
            field.Apply (Batch.ofPoints b false (b.points points [| n; 3 |])) (Component.init b field seed) directions |> b.toArray
        let holds (b: Backend<'T>) = close (output b loe) (output b dense)
        holds torch64 && holds reference)

[<Property(MaxTest = 10)>]
let ``with replicated experts the generator at step 0 equals the generator with plain blocks of the same seed, on both backends`` () =
    forAll (Gen.zip (Gen.choose (0, 10000)) (Gen.choose (1, 3))) (fun (seed, count) ->
        let loe = { GanModelTests.tinyGenerator with EmbeddingChannels = 0; EmbeddingResolution = 0; ExpertInit = ExpertInit.Replicated }
        let dense = { loe with Tiles = loe.Tiles |> Array.map (fun _ -> [| 1; 1 |]) }
        let z = Generator.latents loe.LatentDim count (int64 seed)
        let images (b: Backend<'T>) (s: GeneratorSpec) =
            let g = Generator.create b s
            Generator.images b g (Generator.init b g seed) (Generator.pixels b false count 4 6) (b.tensor z [| count; s.LatentDim |]) |> b.toArray
        let holds (b: Backend<'T>) = close (images b loe) (images b dense)
        holds torch64 && holds reference)
