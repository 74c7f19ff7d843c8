using System.Collections;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace LoE.Host.Metrics;

/// <summary>
/// FID's features: the 2048-d pool3 activations of pytorch-fid's Inception-v3 with the weights the user supplies
/// (they cannot be shipped here). As pytorch-fid does: bilinear resize to 299 × 299 (align_corners=False, no
/// antialiasing), then 2x − 1 to [−1, 1]; gray replicated to RGB. CPU, float32, eval mode (batch-norm running
/// statistics).
/// </summary>
internal sealed class InceptionFidFeatures : IFeatureNetwork
{
    /// <summary>The URL the FID weights come from (named by every error about them).</summary>
    public const string WeightsUrl =
        "https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/pt_inception-2015-12-05-6726825d.pth";
    const int Size = 299, Batch = 16;

    readonly FidInceptionV3 network;

    public string Name => "Inception-v3";
    public int Dimension => 2048;

    public InceptionFidFeatures(string weightsPath)
    {
        if (!File.Exists(weightsPath))
            throw new FileNotFoundException(
                $"FID needs the Inception-v3 weights of pytorch-fid, and {weightsPath} does not exist. Download " +
                $"pt_inception-2015-12-05-6726825d.pth from {WeightsUrl} (the pytorch-fid releases page) and give its " +
                "path; without it use the ResNet-18 Fréchet distance (the default).", weightsPath);
        network = new FidInceptionV3();
        try
        {
            Load(network, weightsPath);
        }
        catch
        {
            network.Dispose();
            throw;
        }
        network.eval();
    }

    /// Copies a PyTorch state dict (torch.save's zip format, as PyBridge reads it) into the module, checking every
    /// key the module has (num_batches_tracked aside: pytorch-fid's file predates it) for presence and shape.
    public static void Load(nn.Module module, string path)
    {
        Hashtable stateDict;
        using (var stream = File.OpenRead(path))
        {
            try
            {
                stateDict = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true);
            }
            catch (NotImplementedException e)
            {
                // PyBridge reads only the zip format of torch.save (PyTorch ≥ 1.6).
                throw new InvalidDataException(
                    $"{path} is not a state dict in torch.save's zip format ({e.Message}). Re-save it in Python with " +
                    "torch.save(torch.load(path), new_path) using PyTorch 1.6 or later.", e);
            }
            catch (Exception e) when (e is InvalidDataException or InvalidCastException or IOException or InvalidOperationException
                                          or Razorvine.Pickle.PickleException or KeyNotFoundException)
            {
                throw new InvalidDataException($"{path} is not a readable PyTorch state dict: {e.Message}", e);
            }
        }
        try
        {
            using var _ = no_grad();
            foreach (var (key, target) in module.state_dict())
            {
                if (key.EndsWith(".num_batches_tracked", StringComparison.Ordinal)) continue;
                if (stateDict[key] is not Tensor source)
                    throw new InvalidDataException($"{path} lacks the tensor {key} of pytorch-fid's Inception-v3");
                if (!source.shape.SequenceEqual(target.shape))
                    throw new InvalidDataException(
                        $"{path}: tensor {key} has shape [{string.Join(", ", source.shape)}], Inception-v3 needs [{string.Join(", ", target.shape)}]");
                target.copy_(source);
            }
        }
        finally
        {
            foreach (var value in stateDict.Values) (value as IDisposable)?.Dispose();
        }
    }

    public double[] Features(IReadOnlyList<Image> images)
    {
        var features = new double[images.Count * Dimension];
        var plane = 3 * Size * Size;
        for (var start = 0; start < images.Count; start += Batch)
        {
            var count = Math.Min(Batch, images.Count - start);
            var input = new float[count * plane];
            for (var i = 0; i < count; i++)
                Bilinear.ToPlanarRgb(images[start + i], Size, 2f, -1f, input.AsSpan(i * plane, plane));
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var output = network.forward(tensor(input, new long[] { count, 3, Size, Size })).to_type(ScalarType.Float64);
            output.data<double>().CopyTo(features, start * Dimension);
        }
        return features;
    }

    public void Dispose() => network.Dispose();
}
