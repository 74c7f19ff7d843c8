/// The GAN's feature networks and scores (host/Metrics): ML.NET's ResNet-18 through onnxruntime, pytorch-fid's
/// Inception-v3 in TorchSharp on weights the tests make themselves (the real ones cannot be obtained here).
module LoE.Tests.GanFeatureTests

open System
open System.Collections
open System.IO
open Xunit
open TorchSharp
open TorchSharp.PyBridge
open LoE.Core
open LoE.Core.Gan
open LoE.Host.Metrics

let private noise (seed: int) (w: int) (h: int) (c: int) =
    let rng = Random(seed)
    { Width = w; Height = h; Channels = c; Pixels = Array.init (w * h * c) (fun _ -> float32 (rng.NextDouble())) }

let private flat (v: float32) (w: int) (h: int) = { Width = w; Height = h; Channels = 1; Pixels = Array.create (w * h) v }

/// One ResNet-18 for the file: two ONNX sessions take about a second to make.
let private resNet = lazy (FeatureNetworks.ResNet18())

let private row (d: int) (features: float[]) (i: int) = features.[i * d .. (i + 1) * d - 1]

[<Fact>]
let ``ResNet-18 gives 512 features per image, the same on a second call, whatever the image size`` () =
    let net = resNet.Force()
    let images = [| noise 1 8 8 3; noise 2 16 12 1; noise 3 40 24 3 |]
    let f = net.Features images
    Assert.Equal(("ResNet-18", 512), (net.Name, net.Dimension))
    Assert.Equal(3 * 512, f.Length)
    Assert.True(f |> Array.forall Double.IsFinite)
    Assert.True(f |> Array.exists (fun v -> v <> 0.0))
    Assert.Equal<float[]>(f, net.Features images)

[<Fact>]
let ``ResNet-18 features of a batch equal those of its images one at a time (the freed batch axis)`` () =
    let net = resNet.Force()
    let images = [| noise 4 16 16 3; noise 5 16 16 3; flat 0.3f 16 16 |]
    let batch = net.Features images
    for i in 0 .. images.Length - 1 do
        let single = net.Features [| images.[i] |]
        Assert.True(Array.forall2 (fun a b -> abs (a - b) <= 1e-5 * (1.0 + abs b)) single (row 512 batch i), $"image {i}")

[<Fact>]
let ``a gray image has the features of its RGB replication`` () =
    let net = resNet.Force()
    let gray = noise 6 20 14 1
    let rgb = { gray with Channels = 3; Pixels = gray.Pixels |> Array.collect (fun v -> [| v; v; v |]) }
    Assert.Equal<float[]>(net.Features [| gray |], net.Features [| rgb |])

[<Fact>]
let ``a missing ONNX model is a FileNotFoundException naming the path and the rebuild`` () =
    let dir = Path.Combine(Path.GetTempPath(), $"loe-no-models-{Guid.NewGuid():N}")
    let e = Assert.Throws<FileNotFoundException>(fun () -> new ResNet18Features(dir, 1) |> ignore)
    Assert.Contains(Path.Combine(dir, "DnnImageModels"), e.Message)
    Assert.Contains("rebuild", e.Message)

[<Fact>]
let ``FD of a set with itself is 0, and noise against flat gray is farther than two halves of the noise`` () =
    let net = resNet.Force()
    let noiseSet = Array.init 12 (fun i -> noise (100 + i) 16 16 3)
    let graySet = Array.init 6 (fun i -> flat (0.2f + 0.1f * float32 i) 16 16)
    let self = GanScoring.Score(net, noiseSet, noiseSet, 0)
    let halves = GanScoring.Score(net, noiseSet.[.. 5], noiseSet.[6 ..], 0)
    let apart = GanScoring.Score(net, noiseSet.[.. 5], graySet, 0)
    Assert.Equal(("ResNet-18", 12, 12), (self.Network, self.RealCount, self.FakeCount))
    Assert.True(abs self.Fd < 1e-6 * apart.Fd, $"FD(x, x) = {self.Fd}, FD(noise, gray) = {apart.Fd}")
    Assert.True(halves.Fd < apart.Fd, $"FD(halves) = {halves.Fd}, FD(noise, gray) = {apart.Fd}")
    Assert.True(halves.KidMean < apart.KidMean, $"KID(halves) = {halves.KidMean}, KID(noise, gray) = {apart.KidMean}")

[<Fact>]
let ``missing Inception weights are a FileNotFoundException saying where to get them`` () =
    let path = Path.Combine(Path.GetTempPath(), $"loe-{Guid.NewGuid():N}.pth")
    let e = Assert.Throws<FileNotFoundException>(fun () -> FeatureNetworks.InceptionFid path |> ignore)
    Assert.Contains("https://github.com/mseitzer/pytorch-fid/releases", e.Message)
    Assert.Contains("pt_inception-2015-12-05-6726825d.pth", e.Message)
    Assert.Contains("FID", e.Message)

/// Random weights (seeded) under which activations neither vanish nor explode through the 47 layers: He-normal
/// convolutions and batch-norm parameters and statistics drawn around 1 and 0, so that every kind of tensor the
/// file holds shapes the features. (PyTorch's default initialisation shrinks them to ~0, where any two networks agree.)
let private randomise (net: FidInceptionV3) =
    use _ = torch.no_grad()
    for KeyValue(k, t) in net.state_dict() do
        if k.EndsWith ".conv.weight" then torch.nn.init.kaiming_normal_(t, nonlinearity = torch.nn.init.NonlinearityType.ReLU) |> ignore
        elif k.EndsWith ".bn.weight" || k.EndsWith ".bn.running_var" then t.uniform_(0.5, 1.5) |> ignore
        elif k.EndsWith ".bn.bias" || k.EndsWith ".bn.running_mean" then t.uniform_(-0.1, 0.1) |> ignore

/// A state dict of a randomised FID Inception-v3 (seeded), saved as torch.save's zip format by PyBridge.
let private selfMadeWeights (seed: int64) =
    torch.random.manual_seed seed |> ignore
    let net = new FidInceptionV3()
    randomise net
    let path = Path.Combine(Path.GetTempPath(), $"loe-inception-{seed}-{Guid.NewGuid():N}.pth")
    net.save_py path |> ignore
    net, path

let private withoutOrChanged (path: string) (key: string) (replacement: torch.Tensor option) =
    let net = new FidInceptionV3()
    let dict = Hashtable()
    for KeyValue(k, v) in net.state_dict() do
        if k <> key then dict.[k] <- v
    replacement |> Option.iter (fun t -> dict.[key] <- t)
    PyTorchPickler.PickleStateDict(path, dict)
    net.Dispose()

[<Fact>]
let ``self-made Inception weights load by pytorch-fid's names and give 2048 features equal to the saved module's`` () =
    let saved, path = selfMadeWeights 11L
    try
        Assert.Contains("Mixed_6b.branch7x7_2.conv.weight", saved.state_dict().Keys)
        Assert.Contains("Mixed_7c.branch3x3dbl_3b.bn.running_var", saved.state_dict().Keys)
        // 299 × 299 so that the resize is the identity and the saved module can be fed the same input by hand.
        let images = [| noise 21 299 299 3; noise 22 299 299 1 |]
        use net = FeatureNetworks.InceptionFid path
        let f = net.Features images
        Assert.Equal(("Inception-v3", 2048), (net.Name, net.Dimension))
        Assert.Equal(2 * 2048, f.Length)
        Assert.True(Array.average (Array.map abs f) > 1e-2, $"features vanish (mean |f| = {Array.average (Array.map abs f)})")
        saved.eval()
        let input =
            images |> Array.collect (fun im ->
                let c = im.Channels
                Array.init (3 * 299 * 299) (fun k -> 2.0f * im.Pixels.[(k % (299 * 299)) * c + (if c = 3 then k / (299 * 299) else 0)] - 1.0f))
        use _ = torch.no_grad()
        use expected = saved.forward(torch.tensor(input, ReadOnlySpan<int64>([| 2L; 3L; 299L; 299L |])))
        let e = expected.to_type(torch.ScalarType.Float64).data<float>().ToArray()
        Assert.True(Array.forall2 (fun a b -> abs (a - b) <= 1e-4 * (1.0 + abs b)) f e, "loaded features differ from the saved module's")
        // Another initialisation gives other features: the loaded weights, not the constructor's, made them.
        torch.random.manual_seed 12L |> ignore
        use other = new FidInceptionV3()
        randomise other
        other.eval() |> ignore
        use o = other.forward(torch.tensor(input, ReadOnlySpan<int64>([| 2L; 3L; 299L; 299L |])))
        let od = o.to_type(torch.ScalarType.Float64).data<float>().ToArray()
        Assert.True(Array.exists2 (fun a b -> abs (a - b) > 1e-3 * (1.0 + abs b)) f od)
    finally
        saved.Dispose()
        File.Delete path

[<Fact>]
let ``Inception weights without a tensor, or with a mis-shaped one, are an InvalidDataException naming the key`` () =
    let missing = Path.Combine(Path.GetTempPath(), $"loe-inception-missing-{Guid.NewGuid():N}.pth")
    let misShaped = Path.Combine(Path.GetTempPath(), $"loe-inception-shape-{Guid.NewGuid():N}.pth")
    let garbage = Path.Combine(Path.GetTempPath(), $"loe-inception-garbage-{Guid.NewGuid():N}.pth")
    try
        withoutOrChanged missing "Mixed_6c.branch7x7_2.conv.weight" None
        let e = Assert.Throws<InvalidDataException>(fun () -> FeatureNetworks.InceptionFid missing |> ignore)
        Assert.Contains("Mixed_6c.branch7x7_2.conv.weight", e.Message)
        withoutOrChanged misShaped "fc.bias" (Some(torch.zeros([| 1000L |])))
        let e = Assert.Throws<InvalidDataException>(fun () -> FeatureNetworks.InceptionFid misShaped |> ignore)
        Assert.Contains("fc.bias", e.Message)
        File.WriteAllBytes(garbage, Array.init 64 byte)
        Assert.Throws<InvalidDataException>(fun () -> FeatureNetworks.InceptionFid garbage |> ignore) |> ignore
    finally
        for p in [ missing; misShaped; garbage ] do File.Delete p
