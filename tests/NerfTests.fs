/// NeRF: cameras and rays, sampling, volume rendering, the field's size, and training end to end.
module LoE.Tests.NerfTests

open System
open System.Threading
open FsCheck.FSharp
open FsCheck.Xunit
open Xunit
open LoE.Core
open LoE.Core.Nerf
open LoE.Tests.Generators

let private torch = TilingProperties.torch64
let private reference = ReferenceBackend.create ()

/// A camera somewhere on a sphere around a target, of a random size and field of view.
let private camera = gen {
    let! w = Gen.choose (2, 40)
    let! h = Gen.choose (2, 40)
    let! angle = floatIn 0.3 2.0
    let! eye = Gen.arrayOfLength 3 (floatIn -3.0 3.0)
    let! target = Gen.arrayOfLength 3 (floatIn -0.5 0.5)
    let eye = if Array.map2 (-) eye target |> Array.sumBy (fun x -> x * x) < 0.25 then Array.map ((+) 2.0) eye else eye
    return { Width = w; Height = h; Focal = Camera.focalOfAngle w angle; Pose = Camera.lookAt eye target [| 0.0; 0.0; 1.0 |] } }

[<Property(MaxTest = 200)>]
let ``the ray through a pixel centre projects back to that pixel's centre, at any distance`` () =
    forAll (gen {
        let! c = camera
        let! i = Gen.choose (0, c.Width - 1)
        let! j = Gen.choose (0, c.Height - 1)
        let! t = floatIn 0.1 10.0
        return c, i, j, t }) (fun (c, i, j, t) ->
        let o, d = Camera.ray c i j
        let u, v = Camera.project c (Array.init 3 (fun k -> o.[k] + t * d.[k]))
        abs (u - (float i + 0.5)) < 1e-9 && abs (v - (float j + 0.5)) < 1e-9)

[<Property(MaxTest = 200)>]
let ``a look-at pose is a rotation (camera-to-world then back is the identity) that sees its target at the image centre`` () =
    forAll camera (fun c ->
        let p = c.Pose
        let col k = [| p.[k]; p.[4 + k]; p.[8 + k] |]
        let dot (a: float[]) (b: float[]) = Array.fold2 (fun s x y -> s + x * y) 0.0 a b
        let orthonormal = [ for a in 0 .. 2 do for b in 0 .. 2 -> abs (dot (col a) (col b) - (if a = b then 1.0 else 0.0)) < 1e-12 ] |> List.forall id
        let eye = [| p.[3]; p.[7]; p.[11] |]
        // The point one unit in front of the camera (−z) lands in the middle of the image.
        let ahead = Array.map2 (fun e z -> e - z) eye (col 2)
        let u, v = Camera.project c ahead
        orthonormal && abs (u - 0.5 * float c.Width) < 1e-9 && abs (v - 0.5 * float c.Height) < 1e-9)

/// Rays promise unit directions (the sampler's distances are world distances only then): a pinhole ray through a
/// pixel away from the centre, R (u/f, −v/f, −1), is longer than 1 before normalising.
[<Property(MaxTest = 100)>]
let ``every ray's direction is a unit vector`` () =
    forAll camera (fun c ->
        (Camera.rays c).Directions |> Array.chunkBySize 3
        |> Array.forall (fun d -> abs (sqrt (d.[0] * d.[0] + d.[1] * d.[1] + d.[2] * d.[2]) - 1.0) < 1e-12))

/// A horizontal field of view θ: a camera at the origin looking down −z sees the point at angle θ/2 right of its
/// axis, (tan(θ/2), 0, −1), on the image's right edge (u = W) and its mirror image on the left edge (u = 0); so a
/// 90° view of 100 pixels has focal length 50, and NeRF's code gives lego's 800 pixels at camera_angle_x
/// 0.6911112070083618 the focal length 1111.111 (focal = .5 * W / np.tan(.5 * camera_angle_x)).
[<Property(MaxTest = 100)>]
let ``the focal length of a field of view puts the view's edges on the image's edges`` () =
    Assert.Equal(50.0, Camera.focalOfAngle 100 (0.5 * Math.PI), 9)
    Assert.Equal(1111.111, Camera.focalOfAngle 800 0.6911112070083618, 3)
    forAll (Gen.zip (Gen.choose (2, 200)) (floatIn 0.2 3.0)) (fun (w, angle) ->
        let c = { Width = w; Height = 7; Focal = Camera.focalOfAngle w angle; Pose = [| 1.0; 0.0; 0.0; 0.0; 0.0; 1.0; 0.0; 0.0; 0.0; 0.0; 1.0; 0.0 |] }
        let edge side = fst (Camera.project c [| side * tan (0.5 * angle); 0.0; -1.0 |])
        abs (edge 1.0 - float w) < 1e-9 && abs (edge -1.0) < 1e-9)

let private stratifiedHolds (b: Backend<'T>) (seed: int64) near far rays count =
    let t = Sampling.stratified b (Sampling.Random seed) near far rays count |> b.toArray
    let w = (far - near) / float count
    t |> Array.chunkBySize count |> Array.forall (fun row ->
        row = Array.sort row
        && row |> Array.mapi (fun i x -> x >= near + float i * w - 1e-12 && x < near + float (i + 1) * w + 1e-12) |> Array.forall id)

[<Property(MaxTest = 100)>]
let ``stratified samples are sorted and each lies inside its own bin, on both backends`` () =
    forAll (gen {
        let! seed = Gen.choose (0, 100000)
        let! near = floatIn 0.0 2.0
        let! length = floatIn 0.1 5.0
        let! rays = Gen.choose (1, 5)
        let! count = Gen.choose (1, 40)
        return int64 seed, near, near + length, rays, count }) (fun (seed, near, far, rays, count) ->
        stratifiedHolds torch seed near far rays count && stratifiedHolds reference seed near far rays count)

/// Coarse weights over strata (some zero), hierarchical samples from them.
let private hierarchicalHolds (b: Backend<'T>) seed near far (weights: float[]) rays strata count =
    let coarse = Sampling.stratified b (Sampling.Random seed) near far rays strata
    let t = Sampling.hierarchical b FineWeights.All (Sampling.Random(seed + 1L)) near far coarse (b.tensor weights [| rays; strata |]) count |> b.toArray
    t.Length = rays * (strata + count)
    && t |> Array.chunkBySize (strata + count) |> Array.forall (fun row -> row = Array.sort row && row |> Array.forall (fun x -> x >= near && x <= far))

[<Property(MaxTest = 100)>]
let ``hierarchical samples are sorted and inside [near, far], on both backends`` () =
    forAll (gen {
        let! seed = Gen.choose (0, 100000)
        let! near = floatIn 0.0 2.0
        let! length = floatIn 0.1 5.0
        let! rays = Gen.choose (1, 4)
        let! strata = Gen.choose (1, 16)
        let! count = Gen.choose (1, 32)
        let! weights = Gen.arrayOfLength (rays * strata) (Gen.oneof [ Gen.constant 0.0; floatIn 0.0 1.0 ])
        return int64 seed, near, near + length, weights, rays, strata, count }) (fun (seed, near, far, weights, rays, strata, count) ->
        hierarchicalHolds torch seed near far weights rays strata count && hierarchicalHolds reference seed near far weights rays strata count)

/// Inverse-CDF samples fall into each bin in proportion to its weight: 20 000 samples, every bin's share within
/// 0.015 of its normalised weight (about 4 standard deviations of a share, so a right sampler fails about once in
/// 10⁴ runs and a wrong one, e.g. uniform over bins, fails at once).
[<Property(MaxTest = 20)>]
let ``inverse-CDF samples are distributed as the weights (histogram within 0.015 per bin)`` () =
    forAll (gen {
        let! bins = Gen.choose (2, 8)
        let! widths = Gen.arrayOfLength bins (floatIn 0.1 1.0)
        let! weights = Gen.arrayOfLength bins (Gen.oneof [ Gen.constant 0.0; floatIn 0.0 1.0 ])
        let! seed = Gen.choose (0, 100000)
        return widths, weights |> Array.mapi (fun i w -> if i = 0 then w + 0.2 else w), int64 seed }) (fun (widths, weights, seed) ->
        let m = 20000
        let edges = Array.scan (+) 0.0 widths
        let bins = widths.Length
        let share (b: Backend<'T>) =
            let u = b.uniform seed [| 1; m |]
            let t = b.inverseCdf (b.points edges [| 1; bins + 1 |]) (b.tensor weights [| 1; bins |]) u |> b.toArray
            let counts = Array.zeroCreate bins
            for x in t do
                let k = edges |> Array.findIndexBack (fun e -> e <= x) |> min (bins - 1)
                counts.[k] <- counts.[k] + 1
            counts |> Array.map (fun c -> float c / float m)
        let expected = weights |> Array.map (fun w -> w / Array.sum weights)
        let within (s: float[]) = Array.forall2 (fun a e -> abs (a - e) <= 0.015) s expected
        within (share torch) && within (share reference))

/// Centred hierarchical samples are the quantiles (j + ½)/M of the piecewise-constant density the coarse weights
/// (plus NeRF's 1e-5) put on the strata, merged with the coarse strata's midpoints and sorted; the quantiles here
/// come from a plain inverse CDF written for the test (positive weights, so no stratum is empty).
[<Property(MaxTest = 50)>]
let ``centred hierarchical samples are the (j + ½)/M quantiles of the coarse weights' density, on both backends`` () =
    forAll (gen {
        let! near = floatIn 0.0 2.0
        let! length = floatIn 0.1 5.0
        let! strata = Gen.choose (1, 8)
        let! count = Gen.choose (1, 16)
        let! weights = Gen.arrayOfLength strata (floatIn 0.01 1.0)
        return near, near + length, strata, count, weights }) (fun (near, far, strata, count, weights) ->
        let w = (far - near) / float strata
        let share = let p = weights |> Array.map (fun x -> x + 1e-5) in p |> Array.map (fun x -> x / Array.sum p)
        let quantile (u: float) =
            // The first stratum whose cumulative share exceeds u, and u's place inside it.
            let mutable k, below = 0, 0.0
            while k < strata - 1 && below + share.[k] <= u do
                below <- below + share.[k]
                k <- k + 1
            near + (float k + (u - below) / share.[k]) * w
        let expected =
            Array.append (Array.init strata (fun i -> near + (float i + 0.5) * w)) (Array.init count (fun j -> quantile ((float j + 0.5) / float count)))
            |> Array.sort
        let holds (b: Backend<'T>) =
            let coarse = Sampling.stratified b Sampling.Centred near far 1 strata
            let t = Sampling.hierarchical b FineWeights.All Sampling.Centred near far coarse (b.tensor weights [| 1; strata |]) count |> b.toArray
            t.Length = expected.Length && Array.forall2 (fun a e -> abs (a - e) < 1e-9 * (1.0 + abs e)) t expected
        holds torch && holds reference)

/// scene.fine_weights interior against NeRF's published code written out by hand: sample_pdf(z_vals_mid,
/// weights[..., 1:-1]), where z_vals_mid are the midpoints of consecutive coarse distances (here jittered, so the
/// bins are uneven) and the weights get + 1e-5; the quantiles are this project's centred uniforms (j + ½)/M.
[<Property(MaxTest = 50)>]
let ``interior fine weights are NeRF's sample_pdf of weights[1:-1] on the coarse midpoints, on both backends`` () =
    forAll (gen {
        let! seed = Gen.choose (0, 100000)
        let! near = floatIn 0.0 2.0
        let! length = floatIn 0.1 5.0
        let! strata = Gen.choose (3, 9)
        let! count = Gen.choose (1, 16)
        let! weights = Gen.arrayOfLength strata (floatIn 0.0 1.0)
        return int64 seed, near, near + length, strata, count, weights }) (fun (seed, near, far, strata, count, weights) ->
        let holds (b: Backend<'T>) =
            let coarse = Sampling.stratified b (Sampling.Random seed) near far 1 strata
            let z = b.toArray coarse
            let mids = Array.init (strata - 1) (fun i -> 0.5 * (z.[i] + z.[i + 1]))
            let inner = weights.[1 .. strata - 2] |> Array.map (fun w -> w + 1e-5)
            let pdf = inner |> Array.map (fun w -> w / Array.sum inner)
            let cdf = Array.scan (+) 0.0 pdf
            let quantile (u: float) =
                // sample_pdf: the bin whose CDF interval holds u, and u's place inside it, linearly.
                let k = (cdf |> Array.findIndexBack (fun c -> c <= u)) |> min (inner.Length - 1)
                mids.[k] + (u - cdf.[k]) / (cdf.[k + 1] - cdf.[k]) * (mids.[k + 1] - mids.[k])
            let expected = Array.append z (Array.init count (fun j -> quantile ((float j + 0.5) / float count))) |> Array.sort
            let t = Sampling.hierarchical b FineWeights.Interior Sampling.Centred near far coarse (b.tensor weights [| 1; strata |]) count |> b.toArray
            t.Length = expected.Length && Array.forall2 (fun a e -> abs (a - e) < 1e-9 * (1.0 + abs e)) t expected
        holds torch && holds reference)

/// A worked example of interior fine weights: coarse samples at 1, 2, 3, 4 (midpoints 1.5, 2.5, 3.5), weights
/// [9, 1, 1, 9]: the end weights are dropped, so the two interior bins [1.5, 2.5] and [2.5, 3.5] share the
/// density equally and the centred quantiles ¼ and ¾ land at 2.0 and 3.0 (with every weight the end strata would
/// take 90 % of them).
[<Fact>]
let ``interior fine weights drop the end weights: a hand-made example`` () =
    let b = reference
    let coarse = b.points [| 1.0; 2.0; 3.0; 4.0 |] [| 1; 4 |]
    let t = Sampling.hierarchical b FineWeights.Interior Sampling.Centred 0.5 4.5 coarse (b.tensor [| 9.0; 1.0; 1.0; 9.0 |] [| 1; 4 |]) 2 |> b.toArray
    Assert.Equal<float[]>([| 1.0; 2.0; 2.0; 3.0; 3.0; 4.0 |], t |> Array.map (fun x -> Math.Round(x, 9)))

/// NeRF's published Embedder (include_input, log-sampled frequencies, sin and cos of 2^l x with no π) applied to a
/// world point x: scene.encoding nerf gives it at p = (x − c)·s + 0.5 (NeRF-synthetic's fixed box: x/3 + 0.5, or a
/// fitted box), column for column up to the order of the sines and cosines; symmetric gives γ(2p − 1) with π, unit
/// γ(p).
[<Property(MaxTest = 50)>]
let ``scene.encoding nerf is NeRF's embedding of the world point; symmetric and unit are γ(2p − 1) and γ(p)`` () =
    forAll (gen {
        let! x = Gen.arrayOfLength 3 (floatIn -1.5 1.5)
        // NeRF-synthetic's fixed box, or a fitted one somewhere else (the world point must come back all the same).
        let! fitted = Gen.elements [ false; true ]
        let! centre = Gen.arrayOfLength 3 (floatIn -0.5 0.5)
        let! scale = floatIn 0.2 1.0
        return x, (if fitted then centre, scale else [| 0.0; 0.0; 0.0 |], 1.0 / 3.0) }) (fun (x, (centre, scale)) ->
        let b = reference
        let frequencies = 4
        let p = x |> Array.mapi (fun i v -> (v - centre.[i]) * scale + 0.5)
        let encode e =
            let m = { NerfModel.peMlp with PeFrequencies = frequencies; Encoding = PositionEncoding.choose e centre scale }
            let points = b.points p [| 1; 3 |]
            (Field.encoding b m).Apply (Batch.ofPoints b false points) Map.empty points |> b.toArray
        // Encoding.positional's column order: the input, then per frequency per axis sine and cosine.
        let gamma (f: float -> float) (q: float[]) =
            Array.append q [| for l in 0 .. frequencies - 1 do for i in 0 .. 2 do yield! [ sin (f (2.0 ** float l * q.[i])); cos (f (2.0 ** float l * q.[i])) ] |]
        let close (a: float[]) (e: float[]) = a.Length = e.Length && Array.forall2 (fun u v -> abs (u - v) < 1e-9) a e
        close (encode SceneEncoding.Nerf) (gamma id x)
        && close (encode SceneEncoding.Symmetric) (gamma (fun a -> Math.PI * a) (p |> Array.map (fun v -> 2.0 * v - 1.0)))
        && close (encode SceneEncoding.Unit) (gamma (fun a -> Math.PI * a) p))

/// scene.box fitted, against a known object: 36 cameras on NeRF-synthetic's upper hemisphere (radius 4, three
/// elevations) see an axis-aligned box, each mask drawn by intersecting every pixel's ray with it (the slab method,
/// written here). The carved box holds the object (no object voxel is carved) and each face lies within 0.3 world
/// units of the object's (the visual hull's corners, the masks' pixels and the 1.5-voxel margin); fit's centre is
/// the carved box's midpoint and its scale one over its longest side.
/// Masks of an axis-aligned box [lo, hi] seen by 48×48 cameras at elevations 15°, 45°, 75° and 12 azimuths 30° apart,
/// 4 units from the origin, looking at it.
let private boxMasks (lo: float[]) (hi: float[]) =
    let hits (o: float[]) (d: float[]) =
        let mutable enter, leave = 0.0, infinity
        for a in 0 .. 2 do
            let t1, t2 = (lo.[a] - o.[a]) / d.[a], (hi.[a] - o.[a]) / d.[a]
            enter <- max enter (min t1 t2)
            leave <- min leave (max t1 t2)
        enter <= leave
    let side = 48
    [| for elevation in [ 15.0; 45.0; 75.0 ] do
         for k in 0 .. 11 do
             let e, a = elevation * Math.PI / 180.0, 2.0 * Math.PI * float k / 12.0
             let eye = [| 4.0 * cos e * cos a; 4.0 * cos e * sin a; 4.0 * sin e |]
             let camera = { Width = side; Height = side; Focal = Camera.focalOfAngle side 0.69; Pose = Camera.lookAt eye [| 0.0; 0.0; 0.0 |] [| 0.0; 0.0; 1.0 |] }
             let pixels = Array.init (side * side) (fun j -> let o, d = Camera.ray camera (j % side) (j / side) in if hits o d then 1f else 0f)
             { Camera = camera; Image = { Width = side; Height = side; Channels = 3; Pixels = pixels |> Array.collect (fun v -> [| v; v; v |]) } } |]

[<Fact>]
let ``scene.box fitted carves the training masks down to the object's box, never into it`` () =
    let lo, hi = [| -0.6; -0.3; -0.2 |], [| 0.4; 0.5; 0.9 |]
    let masks = boxMasks lo hi
    let low, high = Blender.carve masks
    for a in 0 .. 2 do
        Assert.True(low.[a] <= lo.[a] && high.[a] >= hi.[a], $"axis {a}: carved [{low.[a]:F3}, {high.[a]:F3}] cuts into the object [{lo.[a]}, {hi.[a]}]")
        Assert.True(lo.[a] - low.[a] < 0.3 && high.[a] - hi.[a] < 0.3, $"axis {a}: carved [{low.[a]:F3}, {high.[a]:F3}] is loose around [{lo.[a]}, {hi.[a]}]")
    let centre, scale = Blender.fit masks
    Assert.Equal<float[]>(Array.map2 (fun a b -> 0.5 * (a + b)) low high, centre)
    Assert.Equal(1.0 / (Array.map2 (fun a b -> b - a) low high |> Array.max), scale)

/// The cameras' azimuths (k · 30°) and the voxel grid are symmetric under x ↦ −x and y ↦ −y, and so is a box
/// centred on the z axis: its carved box must be too, margins included (a margin added on one side only is not).
[<Fact>]
let ``scene.box fitted carves a box symmetric in x and y into a box symmetric in x and y`` () =
    let low, high = Blender.carve (boxMasks [| -0.5; -0.4; -0.3 |] [| 0.5; 0.4; 0.3 |])
    for a in 0 .. 1 do
        Assert.True(abs (low.[a] + high.[a]) < 1e-9, $"axis {a}: carved [{low.[a]}, {high.[a]}] is not symmetric about 0")
        Assert.True(low.[a] < -0.4 && high.[a] > 0.4)

/// A ray batch to composite: densities, colours, sorted distances, a background and an output probe.
let private compositeCase = gen {
    let! rays = Gen.choose (1, 4)
    let! samples = Gen.choose (1, 6)
    let! sigma = Gen.arrayOfLength (rays * samples) (floatIn 0.0 3.0)
    let! colours = Gen.arrayOfLength (rays * samples * 3) (floatIn 0.0 1.0)
    let! gaps = Gen.arrayOfLength (rays * samples) (floatIn 0.01 0.5)
    let t = gaps |> Array.chunkBySize samples |> Array.collect (fun g -> Array.scan (+) 1.0 g |> Array.take samples)
    let! background = Gen.arrayOfLength 3 (floatIn 0.0 1.0)
    let! probe = Gen.arrayOfLength (rays * 3) (floatIn -1.0 1.0)
    return rays, samples, sigma, colours, t, background, probe }

let private composite (b: Backend<'T>) rays samples (sigma: float[]) (colours: float[]) (t: float[]) background =
    Render.composite b background (b.tensor sigma [| rays; samples |]) (b.tensor colours [| rays * samples; 3 |]) (b.points t [| rays; samples |])

let private closeToAll (a: float[]) (e: float[]) = Array.forall2 (fun x y -> abs (x - y) < 1e-12) a e

/// NeRF's eq. 3 worked by hand: samples at t = 1, 1.5, 2.5 have intervals δ = 0.5, 1 and NeRF's 1e10. With
/// σ = 0.4, 2, 0.7 the optical depths before each sample are Σ_{j<i} σ_j δ_j = 0, 0.2, 2.2, so T = 1, e^−0.2, e^−2.2
/// and w_i = T_i (1 − e^(−σ_i δ_i)) = T_i − T_(i+1): 1 − e^−0.2, e^−0.2 − e^−2.2 and e^−2.2 (the last interval
/// absorbs what is left; the weights sum to 1). A second ray with σ = 0.4, 2, 0 has the same first two weights, 0
/// for the third, and shows the background with the remaining e^−2.2.
[<Fact>]
let ``compositing two rays equals NeRF's eq. 3 worked by hand, on both backends`` () =
    let t = [| 1.0; 1.5; 2.5; 1.0; 1.5; 2.5 |]
    let sigma = [| 0.4; 2.0; 0.7; 0.4; 2.0; 0.0 |]
    // Red, green, blue samples on both rays.
    let colours = [| 1.0; 0.0; 0.0; 0.0; 1.0; 0.0; 0.0; 0.0; 1.0; 1.0; 0.0; 0.0; 0.0; 1.0; 0.0; 0.0; 0.0; 1.0 |]
    let background = [| 0.2; 0.4; 0.6 |]
    let w0, w1, rest = 1.0 - exp -0.2, exp -0.2 - exp -2.2, exp -2.2
    let weights = [| w0; w1; rest; w0; w1; 0.0 |]
    let expected = [| w0; w1; rest; w0 + 0.2 * rest; w1 + 0.4 * rest; 0.6 * rest |]
    let close (a: float[]) (e: float[]) = a.Length = e.Length && Array.forall2 (fun x y -> abs (x - y) < 1e-12) a e
    let run (b: Backend<'T>) = let r = composite b 2 3 sigma colours t background in b.toArray r.Colours, b.toArray r.Weights, b.toArray r.Opacity
    for colour, weight, opacity in [ run torch; run reference ] do
        Assert.True(close colour expected, $"colours %A{colour}, expected %A{expected}")
        Assert.True(close weight weights, $"weights %A{weight}, expected %A{weights}")
        Assert.True(close opacity [| 1.0; 1.0 - rest |], $"opacity %A{opacity}")

[<Property(MaxTest = 100)>]
let ``zero density renders the background with zero weights, on both backends`` () =
    forAll compositeCase (fun (rays, samples, _, colours, t, background, _) ->
        let holds (b: Backend<'T>) =
            let r = composite b rays samples (Array.zeroCreate (rays * samples)) colours t background
            closeToAll (b.toArray r.Colours) (Array.init (rays * 3) (fun i -> background.[i % 3])) && b.toArray r.Weights |> Array.forall ((=) 0.0)
        holds torch && holds reference)

[<Property(MaxTest = 100)>]
let ``an opaque first sample renders its own colour, on both backends`` () =
    forAll compositeCase (fun (rays, samples, sigma, colours, t, background, _) ->
        let sigma = sigma |> Array.mapi (fun i s -> if i % samples = 0 then 1e9 else s)
        let holds (b: Backend<'T>) =
            let r = composite b rays samples sigma colours t background
            Array.forall2 (fun x y -> abs (x - y) < 1e-9) (b.toArray r.Colours) (Array.init (rays * 3) (fun i -> colours.[(i / 3) * samples * 3 + i % 3]))
        holds torch && holds reference)

[<Property(MaxTest = 100)>]
let ``weights are non-negative and sum to at most 1, on both backends`` () =
    forAll compositeCase (fun (rays, samples, sigma, colours, t, background, _) ->
        let holds (b: Backend<'T>) =
            let r = composite b rays samples sigma colours t background
            b.toArray r.Weights |> Array.forall (fun w -> w >= 0.0)
            && b.toArray r.Opacity |> Array.forall (fun s -> s <= 1.0 + 1e-12)
        holds torch && holds reference)

[<Property(MaxTest = 60)>]
let ``gradients of the rendered colour with respect to densities and colours equal finite differences in float64, on both backends`` () =
    forAll compositeCase (fun (rays, samples, sigma, colours, t, background, probe) ->
        let shapes = [ [| rays; samples |]; [| rays * samples; 3 |] ]
        let holds (b: Backend<'T>) =
            let f (ts: 'T list) =
                let r = Render.composite b background ts.[0] ts.[1] (b.points t [| rays; samples |])
                b.sum (b.mul r.Colours (b.tensor probe [| rays; 3 |]))
            let _, grads = b.valueAndGrad f (List.map2 b.tensor [ sigma; colours ] shapes)
            let numeric = GradientProperties.centralDifferences (fun xs -> f (List.map2 b.tensor xs shapes) |> Backend.scalar b) [ sigma; colours ] 1e-6
            List.forall2 (fun g fd -> ReferenceProperties.closeTo 1e-6 (b.toArray g) fd) grads numeric
        holds torch && holds reference)

[<Fact>]
let ``the field's parameters and multiply-adds per sample equal the paper's (PE MLP 317K and 315K, LoE rows 17.8M)`` () =
    let count m = Component.parameterCount (Field.create reference "f" m)
    let adds m = (Field.create reference "f" m).MultiplyAdds
    Assert.Equal(316_548L, count NerfModel.peMlp)
    Assert.Equal(315_136L, adds NerfModel.peMlp)
    Assert.Equal(17_847_684L, count NerfModel.noHierarchy)
    Assert.Equal(17_847_684L, count NerfModel.ours)
    // As the paper rounds them.
    Assert.Equal(317L, (count NerfModel.peMlp + 500L) / 1000L)
    Assert.Equal(315L, (adds NerfModel.peMlp + 500L) / 1000L)
    Assert.Equal(178L, (count NerfModel.ours + 50_000L) / 100_000L)
    // Nearest experts cost what the dense layer costs.
    Assert.Equal(adds NerfModel.peMlp, adds NerfModel.ours)

/// A small field for tests: 2×2×2 experts on the first two layers, a narrow trunk.
let tinyModel =
    { NerfModel.ours with PeFrequencies = 4; DirectionFrequencies = 2; Width = 16; TrunkLayers = 3; ColourWidth = 8
                          ExpertLayers = 2; Tile = [| 2; 2; 2 |]; Scales = [| 2.0; 4.0 |] }

let tinyTrain =
    { Iterations = 2; Rays = 8; CoarseSamples = 6; FineSamples = 6; LearningRate = 5e-3; LrDecaySteps = 1000
      Adam = { Beta1 = 0.9; Beta2 = 0.999; Epsilon = 1e-8 }; Seed = 3; LogEvery = 1; Chunk = 64
      FineWeights = FineWeights.All; EvalEvery = 0; EvalViews = 4 }

/// σ = ReLU(·) (NeRF's published code): a freshly initialised field's densities at random points are never
/// negative (its raw density outputs are, at about half of them) and its colours lie in (0, 1).
[<Fact>]
let ``the field's densities are non-negative and its colours in (0, 1)`` () =
    let b = reference
    let rng = Random(8)
    let n = 64
    let field = Field.create b "f" tinyModel
    let ps = Component.init b field 4
    let points = b.points (Array.init (3 * n) (fun _ -> rng.NextDouble())) [| n; 3 |]
    let directions =
        Array.init n (fun _ -> let v = Array.init 3 (fun _ -> 2.0 * rng.NextDouble() - 1.0) in let l = sqrt (Array.sumBy (fun x -> x * x) v) in v |> Array.map (fun x -> x / l))
        |> Array.concat
    let out = field.Apply (Batch.ofPoints b false points) ps (Field.encodeDirections b tinyModel (b.points directions [| n; 3 |])) |> b.toArray
    let rows = out |> Array.chunkBySize 4
    Assert.Equal(n, rows.Length)
    Assert.True(rows |> Array.forall (fun r -> r.[0] >= 0.0), $"negative densities: %A{rows |> Array.map (fun r -> r.[0]) |> Array.filter (fun s -> s < 0.0)}")
    Assert.True(rows |> Array.exists (fun r -> r.[0] > 0.0))
    Assert.True(rows |> Array.forall (fun r -> r.[1..] |> Array.forall (fun c -> c > 0.0 && c < 1.0)))

[<Fact>]
let ``a tiny NeRF's coarse-plus-fine loss and its gradients agree on torch (float64) and reference`` () =
    let scene = Procedural.scene 6 4 0
    let run (b: Backend<'T>) =
        let fs = Training.fields b tinyModel
        let initial = (Component.init b fs.Coarse 1 |> Map.toList) @ (Component.init b fs.Fine 2 |> Map.toList)
        let rays = Training.upload b (Scene.gridRays scene scene.Train) false
        let names = initial |> List.map fst
        let loss (values: 'T list) =
            let ps = Training.paramsOf names values
            let coarse, fine =
                Training.renderRays b tinyModel scene fs ps (fun _ -> Sampling.Centred) FineWeights.All 6 6 rays.Origins rays.Directions rays.ViewDirections
            b.add (Metrics.mse b coarse.Colours rays.Colours) (Metrics.mse b fine.Colours rays.Colours)
        let value, grads = b.valueAndGrad loss (initial |> List.map snd)
        value, grads |> List.map b.toArray
    let tv, tg = run torch
    let rv, rg = run reference
    Assert.True(abs (tv - rv) <= 1e-9 * abs rv, $"loss {tv} vs {rv}")
    List.iter2 (fun t r -> Assert.True(ReferenceProperties.closeTo 1e-7 t r)) tg rg

[<Fact>]
let ``a tiny scene's held-out PSNR improves over training`` () =
    // 16×16 views, one position-dependent layer (so routing is trained too), one thread (the machine is shared).
    let scene = Procedural.scene 16 12 4
    let model = { tinyModel with Width = 32; PeFrequencies = 6; ExpertLayers = 1 }
    let train = { tinyTrain with Rays = 256; CoarseSamples = 16; FineSamples = 16; LearningRate = 1e-2; Chunk = 1024 }
    let backend = { Name = "torch"; Device = "cpu"; Float64 = false; Threads = 1 }
    let psnrAfter iterations =
        (Training.trainWith backend model { train with Iterations = iterations; LogEvery = max 1 iterations } scene (Fit.progressOnly ignore CancellationToken.None) [||]).PsnrDb
    let before, after = psnrAfter 0, psnrAfter 120
    Assert.True(after > before + 2.0, $"held-out PSNR {before:F2} dB before, {after:F2} dB after 120 iterations")

[<Fact>]
let ``a NeRF run resumed from a checkpoint ends exactly as an uninterrupted one (its samples come from seed and iteration)`` () =
    let scene = Procedural.scene 6 6 3
    let train = { tinyTrain with Iterations = 6 }
    let backend = { Name = "torch"; Device = "cpu"; Float64 = true; Threads = 1 }
    let checkpoints = ResizeArray<Checkpoint>()
    let hooks resume =
        { OnProgress = Action<_> ignore; CheckpointEvery = 3; OnCheckpoint = Action<_> checkpoints.Add; Resume = resume; Cancel = CancellationToken.None }
    let whole = Training.trainWith backend tinyModel train scene (hooks Unchecked.defaultof<_>) [||]
    let atThree = checkpoints |> Seq.find (fun c -> c.Iteration = 3)
    let final = checkpoints |> Seq.find (fun c -> c.Iteration = 6)
    checkpoints.Clear()
    let resumed = Training.trainWith backend tinyModel train scene (hooks atThree) [||]
    Assert.Equal<float[][]>(final.Parameters, (checkpoints |> Seq.find (fun c -> c.Iteration = 6)).Parameters)
    Assert.Equal(whole.PsnrDb, resumed.PsnrDb)

/// scene.eval_every: rows at every eval_every-th iteration carry the held-out PSNR, the others NaN; evaluating
/// changes nothing of training (the same parameters bit for bit as without it); and the last evaluation, over every
/// test view, is the final evaluation's PSNR (the same deterministic samples).
[<Fact>]
let ``held-out PSNR while training is the final evaluation's at the same iteration and leaves training unchanged`` () =
    let scene = Procedural.scene 6 6 3
    let train = { tinyTrain with Iterations = 4; LogEvery = 1 }
    let backend = { Name = "torch"; Device = "cpu"; Float64 = true; Threads = 1 }
    let run t =
        let checkpoints = ResizeArray<Checkpoint>()
        let hooks = { OnProgress = Action<_> ignore; CheckpointEvery = 4; OnCheckpoint = Action<_> checkpoints.Add; Resume = Unchecked.defaultof<_>; Cancel = CancellationToken.None }
        let r = Training.trainWith backend tinyModel t scene hooks [||]
        r, checkpoints |> Seq.last
    let plain, plainEnd = run train
    let evaluated, evaluatedEnd = run { train with EvalEvery = 2; EvalViews = scene.Test.Length }
    Assert.Equal<float[][]>(plainEnd.Parameters, evaluatedEnd.Parameters)
    Assert.Equal<int list>([ 1; 2; 3; 4 ], evaluated.History |> Array.map (fun p -> p.Iteration) |> List.ofArray)
    Assert.True(plain.History |> Array.forall (fun p -> Double.IsNaN p.TestPsnrDb))
    Assert.Equal<bool list>([ false; true; false; true ], evaluated.History |> Array.map (fun p -> Double.IsFinite p.TestPsnrDb) |> List.ofArray)
    Assert.Equal(evaluated.PsnrDb, evaluated.History.[3].TestPsnrDb, 9)
    Assert.Equal<float[][]>(evaluatedEnd.History |> Array.map (fun p -> [| p.PsnrDb; p.TestPsnrDb |]), evaluated.History |> Array.map (fun p -> [| p.PsnrDb; p.TestPsnrDb |]))

/// Views evaluated while training: ⌊i·n/k⌋ for i < k (10 test views, 4 evaluated: 0, 2, 5, 7), all when n ≤ k.
[<Fact>]
let ``evaluated test views are evenly spread: 0, 2, 5 and 7 of 10`` () =
    let views = Procedural.scene 4 50 5 |> fun s -> s.Test
    Assert.Equal(10, views.Length)
    Assert.Equal<View[]>([| views.[0]; views.[2]; views.[5]; views.[7] |], Training.evalViews 4 views)
    Assert.Equal<View[]>(views, Training.evalViews 12 views)

/// A NeRF-synthetic folder in a temporary directory: transforms files from frames (file name, matrix), empty
/// image files for the names in `present`.
let private blenderFolder (frames: (string * float[][]) list) (present: string list) =
    let dir = IO.Directory.CreateTempSubdirectory("loe-blender-").FullName
    let json (fs: (string * float[][]) list) =
        let frame (name: string, m: float[][]) =
            let rows = m |> Array.map (fun r -> "[" + (r |> Array.map string |> String.concat ", ") + "]") |> String.concat ", "
            $"{{\"file_path\": \"./train/{name}\", \"transform_matrix\": [{rows}]}}"
        "{\"camera_angle_x\": 0.69, \"frames\": [" + (fs |> List.map frame |> String.concat ", ") + "]}"
    IO.File.WriteAllText(IO.Path.Combine(dir, "transforms_train.json"), json frames)
    IO.File.WriteAllText(IO.Path.Combine(dir, "transforms_test.json"), json (List.truncate 1 frames))
    IO.Directory.CreateDirectory(IO.Path.Combine(dir, "train")) |> ignore
    for name in present do IO.File.WriteAllBytes(IO.Path.Combine(dir, "train", name + ".png"), [||])
    dir

let private pose = [| [| 1.0; 0.0; 0.0; 0.0 |]; [| 0.0; 1.0; 0.0; 0.0 |]; [| 0.0; 0.0; 1.0; 4.0 |]; [| 0.0; 0.0; 0.0; 1.0 |] |]

/// A stand-in decoder: transparent pixels (alpha 0), 4×4 unless the name says "big".
let private decode (path: string) (_: (int * int) option) : Image =
    let side = if path.Contains "big" then 8 else 4
    { Width = side; Height = side; Channels = 4; Pixels = Array.init (side * side * 4) (fun i -> if i % 4 = 3 then 0f else 0.3f) }

/// The disk's files, images through the stand-in decoder.
let private files : SceneFiles =
    { FileExists = fun f -> IO.File.Exists f
      FolderExists = fun d -> IO.Directory.Exists d
      ReadText = fun f -> IO.File.ReadAllText f
      List = fun d -> IO.Directory.GetFiles d
      Decode = decode }

let private failsWith (parts: string list) (f: unit -> 'a) =
    let e = Assert.Throws<SceneDataException>(fun () -> f () |> ignore)
    for p in parts do Assert.Contains(p, e.Message)

[<Fact>]
let ``a NeRF-synthetic folder loads with its poses and focal length, transparent pixels composited on white`` () =
    let dir = blenderFolder [ "r_0", pose; "r_1", pose ] [ "r_0"; "r_1" ]
    let scene = Blender.load files dir None 1
    Assert.Equal(2, scene.Train.Length)
    Assert.Equal(1, scene.Test.Length)
    Assert.Equal<float[]>(pose |> Array.take 3 |> Array.concat, scene.Train.[0].Camera.Pose)
    Assert.True(abs (scene.Train.[0].Camera.Focal - Camera.focalOfAngle 4 0.69) < 1e-12)
    Assert.True(scene.Train.[0].Image.Pixels |> Array.forall ((=) 1.0f))

[<Fact>]
let ``NeRF-synthetic errors name the file and the frame: a missing transforms file, a pose without an image, a singular matrix, mismatched sizes`` () =
    let empty = IO.Directory.CreateTempSubdirectory("loe-blender-").FullName
    failsWith [ "transforms_train.json"; "not found" ] (fun () -> Blender.load files empty None 1)
    let dir = blenderFolder [ "r_0", pose; "r_1", pose ] [ "r_0" ]
    failsWith [ "transforms_train.json, frame 1"; "r_1.png"; "missing" ] (fun () -> Blender.load files dir None 1)
    let singular = pose |> Array.mapi (fun i r -> if i = 1 then Array.zeroCreate 4 else r)
    let dir = blenderFolder [ "r_0", pose; "r_1", singular ] [ "r_0"; "r_1" ]
    failsWith [ "transforms_train.json, frame 1"; "not invertible" ] (fun () -> Blender.load files dir None 1)
    let dir = blenderFolder [ "r_0", pose; "big", pose ] [ "r_0"; "big" ]
    failsWith [ "big.png"; "8×8"; "4×4" ] (fun () -> Blender.load files dir None 1)

// ---- NSVF ----

/// An OpenCV-convention camera-to-world matrix (x right, y down, looking down +z) at `eye` looking at `target`,
/// built from first principles rather than from Camera.lookAt: what NSVF's pose files hold.
let private openCvPose (eye: float[]) (target: float[]) =
    let norm (v: float[]) = let n = sqrt (Array.sumBy (fun x -> x * x) v) in Array.map (fun x -> x / n) v
    let cross (a: float[]) (b: float[]) = [| a.[1] * b.[2] - a.[2] * b.[1]; a.[2] * b.[0] - a.[0] * b.[2]; a.[0] * b.[1] - a.[1] * b.[0] |]
    let forward = norm (Array.map2 (-) target eye)
    let right = norm (cross forward [| 0.0; 0.0; 1.0 |])
    let down = cross forward right
    [| [| right.[0]; down.[0]; forward.[0]; eye.[0] |]
       [| right.[1]; down.[1]; forward.[1]; eye.[1] |]
       [| right.[2]; down.[2]; forward.[2]; eye.[2] |]
       [| 0.0; 0.0; 0.0; 1.0 |] |]

/// An NSVF folder: intrinsics (4×4 matrix), bbox, and per name a pose file and (unless left out) an image file.
let private nsvfFolder (poses: (string * float[][]) list) (images: string list) (focal: float) =
    let dir = IO.Directory.CreateTempSubdirectory("loe-nsvf-").FullName
    let text (m: float[][]) = m |> Array.map (fun r -> r |> Array.map (fun x -> x.ToString("R", Globalization.CultureInfo.InvariantCulture)) |> String.concat " ") |> String.concat "\n"
    IO.File.WriteAllText(IO.Path.Combine(dir, "intrinsics.txt"), text [| [| focal; 0.0; 2.0; 0.0 |]; [| 0.0; focal; 2.0; 0.0 |]; [| 0.0; 0.0; 1.0; 0.0 |]; [| 0.0; 0.0; 0.0; 1.0 |] |])
    IO.File.WriteAllText(IO.Path.Combine(dir, "bbox.txt"), "-1 -2 -1 1 2 1 0.1")
    for sub in [ "pose"; "rgb" ] do IO.Directory.CreateDirectory(IO.Path.Combine(dir, sub)) |> ignore
    for name, m in poses do IO.File.WriteAllText(IO.Path.Combine(dir, "pose", name + ".txt"), text m)
    for name in images do IO.File.WriteAllBytes(IO.Path.Combine(dir, "rgb", name + ".png"), [||])
    dir

[<Property(MaxTest = 30)>]
let ``an NSVF camera sees what its OpenCV pose looks at in the image centre, and the box scales into the unit cube`` () =
    let coord = Gen.choose (-300, 300) |> Gen.map (fun i -> float i / 100.0)
    Generators.forAll (Gen.zip (Gen.arrayOfLength 3 coord) (Gen.arrayOfLength 3 coord)) (fun (eye, offset) ->
        let eye = Array.map2 (+) eye [| 0.0; 0.0; 5.0 |] // above the box, so "up" is never the viewing direction
        let target = offset |> Array.map (fun x -> x / 4.0)
        let dir = nsvfFolder [ "0_a", openCvPose eye target; "2_b", openCvPose eye target ] [ "0_a"; "2_b" ] 3.0
        let scene = Nsvf.load files dir None 1
        let camera = scene.Train.[0].Camera
        let u, v = Camera.project camera target
        Assert.True(abs (u - 2.0) < 1e-9 && abs (v - 2.0) < 1e-9, $"target lands at ({u}, {v}), not the centre (2, 2)")
        // OpenCV's x is right and y down: a point to the camera's right lands right of centre, one below lands lower.
        let right, down = let p = openCvPose eye target in [| p.[0].[0]; p.[1].[0]; p.[2].[0] |], [| p.[0].[1]; p.[1].[1]; p.[2].[1] |]
        let ur, _ = Camera.project camera (Array.map2 (fun t r -> t + 0.1 * r) target right)
        let _, vd = Camera.project camera (Array.map2 (fun t d -> t + 0.1 * d) target down)
        Assert.True(ur > 2.0 && vd > 2.0, $"right of centre {ur}, below centre {vd}")
        Assert.Equal(0.25, scene.Scale) // the box's largest side, 4, maps to 1
        Assert.Equal<float[]>([| 0.0; 0.0; 0.0 |], scene.Centre)
        Assert.Equal(1, scene.Test.Length))

[<Fact>]
let ``NSVF errors name the file: a pose without an image, an image without a pose, a singular pose, no box`` () =
    let good = openCvPose [| 0.0; -4.0; 1.0 |] [| 0.0; 0.0; 0.0 |]
    failsWith [ "0_b.txt"; "without an image" ] (fun () -> Nsvf.load files (nsvfFolder [ "0_a", good; "0_b", good ] [ "0_a" ] 3.0) None 1)
    failsWith [ "0_c.png"; "without a pose" ] (fun () -> Nsvf.load files (nsvfFolder [ "0_a", good ] [ "0_a"; "0_c" ] 3.0) None 1)
    let singular = Array.init 4 (fun r -> Array.init 4 (fun c -> if r = 3 && c = 3 then 1.0 else 0.0))
    failsWith [ "0_a.txt"; "not invertible" ] (fun () -> Nsvf.load files (nsvfFolder [ "0_a", singular; "2_a", good ] [ "0_a"; "2_a" ] 3.0) None 1)
    let noBox = nsvfFolder [ "0_a", good ] [ "0_a" ] 3.0
    IO.File.Delete(IO.Path.Combine(noBox, "bbox.txt"))
    failsWith [ "bbox.txt"; "not found" ] (fun () -> Nsvf.load files noBox None 1)
    // Views of another size than the intrinsics describe: named, with their size.
    failsWith [ "big.png"; "8×8" ] (fun () -> Nsvf.load files (nsvfFolder [ "0_a", good; "0_big", good; "2_a", good ] [ "0_a"; "0_big"; "2_a" ] 3.0) None 1)

// ---- Pinned to NeRF's published formulas and to hand derivations (each guards a mutant in tests/mutation) ----

[<Fact>]
let ``NeRF's learning rate decays continuously: lr · 0.1^(i / steps), lr / √10 half-way through the first tenfold`` () =
    let t = { tinyTrain with LearningRate = 5e-4; LrDecaySteps = 250 }
    // run_nerf.py: new_lrate = lrate * decay_rate ** (global_step / decay_steps), decay_rate 0.1, a float exponent.
    for i, expected in [ 0, 5e-4; 125, 5e-4 / sqrt 10.0; 250, 5e-5; 375, 5e-5 / sqrt 10.0; 1000, 5e-8 ] do
        let lr = Training.learningRate t i
        Assert.True(abs (lr - expected) <= 1e-12 * expected, $"iteration {i}: {lr}, NeRF's formula {expected}")

[<Fact>]
let ``all fine samples fall in the stratum that holds all of the coarse weight: a hand-made weight vector`` () =
    // near 2, far 6, 4 strata of width 1: weight only on stratum 2, which is [4, 5). The 1e-5 floor on the other
    // strata takes 3e-5 / (1 + 4e-5) of the CDF, so centred uniforms (j + ½)/8 all land in [4, 5).
    let holds (b: Backend<'T>) =
        let coarse = Sampling.stratified b Sampling.Centred 2.0 6.0 1 4
        Assert.Equal<float[]>([| 2.5; 3.5; 4.5; 5.5 |], b.toArray coarse)
        let t = Sampling.hierarchical b FineWeights.All Sampling.Centred 2.0 6.0 coarse (b.tensor [| 0.0; 0.0; 1.0; 0.0 |] [| 1; 4 |]) 8 |> b.toArray
        let fine = t |> Array.filter (fun x -> not (Array.contains x [| 2.5; 3.5; 4.5; 5.5 |]))
        Assert.Equal(8, fine.Length)
        // Inside the stratum the inverse CDF is linear: F(4) = 2e-5 / 1.00004 and the stratum holds 1.00001 / 1.00004,
        // so sample j sits at 4 + ((j + ½)/8 − F(4)) · 1.00004 / 1.00001.
        let below = 2e-5 / 1.00004
        let expected = Array.init 8 (fun j -> 4.0 + ((float j + 0.5) / 8.0 - below) * 1.00004 / 1.00001)
        Assert.True(Array.forall2 (fun x e -> abs (x - e) < 1e-9) fine expected, $"fine samples %A{fine}, by hand %A{expected}")
    holds reference
    holds torch

[<Fact>]
let ``NeRF-synthetic's box [−1.5, 1.5]³ maps onto [0, 1]³: a camera at a known point has its rays start where the README says`` () =
    // README: NeRF-synthetic scenes in [−1.5, 1.5]³, c = 0, s = 1/3, so x ↦ x / 3 + 0.5.
    let at (x: float) (y: float) (z: float) = [| [| 1.0; 0.0; 0.0; x |]; [| 0.0; 1.0; 0.0; y |]; [| 0.0; 0.0; 1.0; z |]; [| 0.0; 0.0; 0.0; 1.0 |] |]
    let dir = blenderFolder [ "r_0", at 1.5 -0.75 0.0; "r_1", at -1.5 -1.5 -1.5 ] [ "r_0"; "r_1" ]
    let scene = Blender.load files dir None 1
    let rays = Scene.gridRays scene scene.Train
    let per = 16 // 4×4 pixels per view
    let origin k = rays.Origins.[3 * k .. 3 * k + 2]
    for expected, first in [ [| 1.0; 0.25; 0.5 |], 0; [| 0.0; 0.0; 0.0 |], per ] do
        for k in first .. first + per - 1 do
            Assert.True(Array.forall2 (fun a e -> abs (a - e) < 1e-12) (origin k) expected, $"ray {k} starts at %A{origin k}, not %A{expected}")
    // Directions shrink by the same 1/3 (unit directions in world units).
    for k in 0 .. rays.Count - 1 do
        let d = rays.Directions.[3 * k .. 3 * k + 2]
        Assert.True(abs (sqrt (d |> Array.sumBy (fun x -> x * x)) - 1.0 / 3.0) < 1e-12)

[<Fact>]
let ``test views render with NeRF's deterministic samples: the stratum centres, not jittered ones`` () =
    let scene = Procedural.scene 4 4 2
    let b = reference
    let fs = Training.fields b tinyModel
    let ps = Map.ofList ((Component.init b fs.Coarse 1 |> Map.toList) @ (Component.init b fs.Fine 2 |> Map.toList))
    let camera = scene.Test.[0].Camera
    let render = Training.renderView b tinyModel tinyTrain scene fs ps camera
    let rays = Training.upload b (Scene.gridRays scene [| scene.Test.[0] |]) false
    let colours jitter =
        let _, fine = Training.renderRays b tinyModel scene fs ps jitter tinyTrain.FineWeights tinyTrain.CoarseSamples tinyTrain.FineSamples rays.Origins rays.Directions rays.ViewDirections
        b.toArray fine.Colours |> Array.map (fun v -> float32 (Math.Clamp(v, 0.0, 1.0)))
    Assert.Equal<float32[]>(colours (fun _ -> Sampling.Centred), render.Pixels)
    // The guard: jittered samples give another image, so the comparison above can tell them apart.
    Assert.NotEqual<float32[]>(colours (fun pass -> Sampling.Random(int64 pass)), render.Pixels)
