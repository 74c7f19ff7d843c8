using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace LoE.Host.Metrics;

/// <summary>
/// The 512-d global-average-pooled features (the penultimate layer) of the ImageNet ResNet-18 that ML.NET ships
/// as ONNX (package Microsoft.ML.DnnImageFeaturizer.ResNet18, a CNTK export), run by onnxruntime on the CPU.
/// Preprocessing follows the package's own ResNetPreprocess.onnx, which we run rather than imitate: its input is
/// planar RGB in 0–255 at 224 × 224 (what ML.NET's ExtractPixels gives), and it reorders to BGR and subtracts a
/// per-pixel ImageNet mean image (B ≈ 103, G ≈ 116, R ≈ 123), the Caffe convention; there is no division by a
/// standard deviation. Our [0, 1] images are therefore scaled by 255 (not quantised) after a bilinear resize to
/// 224 × 224, gray replicated to RGB.
/// </summary>
internal sealed class ResNet18Features : IFeatureNetwork
{
    const int Size = 224, Batch = 32;
    public const string Folder = "DnnImageModels";
    static readonly string PrepFile = Path.Combine(Folder, "ResNetPrepOnnx", "ResNetPreprocess.onnx");
    static readonly string NetFile = Path.Combine(Folder, "ResNet18Onnx", "ResNet18.onnx");

    readonly SessionOptions options;
    readonly InferenceSession prep, net;
    readonly string prepInput, netInput;

    public string Name => "ResNet-18";
    public int Dimension => 512;

    public ResNet18Features(string directory, int threads)
    {
        string Locate(string relative)
        {
            var path = Path.Combine(directory, relative);
            if (!File.Exists(path))
                throw new FileNotFoundException(
                    $"The ResNet-18 model for FD/KID is missing: expected {path}. It comes from the NuGet package " +
                    "Microsoft.ML.DnnImageFeaturizer.ResNet18, copied next to loe by the build: rebuild (dotnet build).", path);
            return path;
        }
        var prepPath = Locate(PrepFile);
        var netPath = Locate(NetFile);
        options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        try
        {
            // Both graphs were exported for batch 1; OnnxBatchAxis frees the axis so that a batch runs in one call.
            prep = new InferenceSession(OnnxBatchAxis.Free(File.ReadAllBytes(prepPath)), options);
            net = new InferenceSession(OnnxBatchAxis.Free(File.ReadAllBytes(netPath)), options);
        }
        catch
        {
            prep?.Dispose();
            options.Dispose();
            throw;
        }
        prepInput = prep.InputMetadata.Keys.Single();
        netInput = net.InputMetadata.Keys.Single();
    }

    public double[] Features(IReadOnlyList<Image> images)
    {
        var features = new double[images.Count * Dimension];
        var plane = 3 * Size * Size;
        for (var start = 0; start < images.Count; start += Batch)
        {
            var count = Math.Min(Batch, images.Count - start);
            var input = new DenseTensor<float>(new[] { count, 3, Size, Size });
            var buffer = input.Buffer.Span;
            for (var i = 0; i < count; i++)
                Bilinear.ToPlanarRgb(images[start + i], Size, 255f, 0f, buffer.Slice(i * plane, plane));
            using var prepared = prep.Run(new[] { NamedOnnxValue.CreateFromTensor(prepInput, input) });
            var bgr = prepared.Single().AsTensor<float>();
            using var pooled = net.Run(new[] { NamedOnnxValue.CreateFromTensor(netInput, bgr) });
            var output = pooled.Single().AsTensor<float>(); // [count, 512, 1, 1]
            if (output.Length != (long)count * Dimension)
                throw new InvalidDataException($"ResNet-18 gave {output.Length} values for {count} images, expected {count * Dimension}");
            var k = start * Dimension;
            foreach (var v in output) features[k++] = v;
        }
        return features;
    }

    public void Dispose()
    {
        net.Dispose();
        prep.Dispose();
        options.Dispose();
    }
}
