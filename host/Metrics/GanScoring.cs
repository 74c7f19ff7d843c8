using LoE.Core.Gan;

namespace LoE.Host.Metrics;

/// FD and KID of generated images against real ones, with the network they were measured in.
public sealed record GanScores(string Network, int RealCount, int FakeCount, double Fd, double KidMean, double KidStd)
{
    /// <summary>Real against real (<see cref="GanScoring.RealFloor"/>): the floor these scores are read against.</summary>
    public GanScores? Floor { get; init; }
}

public static class GanScoring
{
    /// KID's standard estimate (Bińkowski et al.; torch-fidelity): 100 subsets of min(1000, n) images.
    public const int KidSubsets = 100, KidSubsetSize = 1000;

    /// FD and KID (100 subsets of min(1000, n) as is standard, seed for the subsets) between real and generated images.
    public static GanScores Score(IFeatureNetwork net, IReadOnlyList<Image> real, IReadOnlyList<Image> fake, int seed)
    {
        if (real.Count < 2 || fake.Count < 2)
            throw new ArgumentException($"FD and KID need at least 2 real and 2 generated images, got {real.Count} and {fake.Count}");
        return OfFeatures(net.Name, net.Dimension, net.Features(real), net.Features(fake), seed);
    }

    /// FD and KID of features already computed (rows of <paramref name="d"/>, row-major), e.g. a chunk at a time.
    public static GanScores OfFeatures(string network, int d, double[] real, double[] fake, int seed)
    {
        var (n1, n2) = (real.Length / d, fake.Length / d);
        var fd = Frechet.distance(d, real, fake);
        var (kidMean, kidStd) = Frechet.kid(d, KidSubsets, Math.Min(KidSubsetSize, Math.Min(n1, n2)), seed, real, fake);
        return new GanScores(network, n1, n2, fd, kidMean, kidStd);
    }

    /// <summary>
    /// FD and KID between the first and the second half of real features (rows, row-major): what the scores read
    /// for two samples of one distribution, the floor a table's FDs are judged against. ⌊n/2⌋ rows a half (an odd
    /// last row is left out); null when a half would have fewer than 2.
    /// </summary>
    public static GanScores? RealFloor(string network, int d, double[] real, int seed)
    {
        var half = real.Length / d / 2;
        if (half < 2) return null;
        return OfFeatures(network, d, real[..(half * d)], real[(half * d)..(2 * half * d)], seed);
    }
}
