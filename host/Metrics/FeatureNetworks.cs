namespace LoE.Host.Metrics;

/// The networks FD and KID can be measured with.
public static class FeatureNetworks
{
    /// ImageNet ResNet-18 (512-d), shipped through NuGet next to loe: the default; tables print "FD (ResNet-18)".
    /// It computes on <paramref name="threads"/> threads, the run's own, so that runs scoring at once do not
    /// oversubscribe the cores (0, unset: 2, as before runs could pin theirs).
    public static IFeatureNetwork ResNet18(int threads = 0) => new ResNet18Features(AppContext.BaseDirectory, threads > 0 ? threads : 2);

    /// pytorch-fid's Inception-v3 (2048-d) from the user's pt_inception-2015-12-05-6726825d.pth: FID proper.
    public static IFeatureNetwork InceptionFid(string weightsPath) => new InceptionFidFeatures(weightsPath);
}
