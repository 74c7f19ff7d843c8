namespace LoE.Host.Metrics;

/// A pretrained network whose activations the Fréchet distance and KID compare.
public interface IFeatureNetwork : IDisposable
{
    /// What tables print: "FD (ResNet-18)"; only Inception-v3's is FID.
    string Name { get; }

    /// Width of one feature row: 512 (ResNet-18), 2048 (Inception-v3).
    int Dimension { get; }

    /// Row-major [images.Count × Dimension] features; images in [0,1], 1 channel (replicated to RGB) or 3, any size
    /// (resized as the network needs).
    double[] Features(IReadOnlyList<Image> images);
}
