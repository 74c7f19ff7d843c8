using LoE.Core;
using LoE.Core.Gan;

namespace LoE.Host.Metrics;

/// FD and KID of generated images against real ones, with the network they were measured in.
public sealed record GanScores(string Network, int RealCount, int FakeCount, double Fd, double KidMean, double KidStd);

public static class GanScoring
{
    /// KID's standard estimate (Bińkowski et al.; torch-fidelity): 100 subsets of min(1000, n) images.
    public const int KidSubsets = 100, KidSubsetSize = 1000;

    /// FD and KID (100 subsets of min(1000, n) as is standard, seed for the subsets) between real and generated images.
    public static GanScores Score(IFeatureNetwork net, IReadOnlyList<Image> real, IReadOnlyList<Image> fake, int seed)
    {
        if (real.Count < 2 || fake.Count < 2)
            throw new ArgumentException($"FD and KID need at least 2 real and 2 generated images, got {real.Count} and {fake.Count}");
        var d = net.Dimension;
        var realFeatures = net.Features(real);
        var fakeFeatures = net.Features(fake);
        var fd = Frechet.distance(d, realFeatures, fakeFeatures);
        var subsetSize = Math.Min(KidSubsetSize, Math.Min(real.Count, fake.Count));
        var (kidMean, kidStd) = Frechet.kid(d, KidSubsets, subsetSize, seed, realFeatures, fakeFeatures);
        return new GanScores(net.Name, real.Count, fake.Count, fd, kidMean, kidStd);
    }
}
