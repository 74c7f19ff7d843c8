using LoE.Core.Gan;

namespace LoE.Host.Tasks;

/// <summary>A GAN's two networks and its training from a resolved configuration's gan and train sections.</summary>
public static class GanSpecs
{
    /// <summary>
    /// A GAN's generator (section E) from the gan section, for images of data.size with <paramref name="channels"/>
    /// channels: blocks whose tile side is 1 are plain layers (PE + CE's), the others position-dependent on
    /// A_i = s_i I.
    /// </summary>
    public static GeneratorSpec Generator(ResolvedConfig c, int channels)
    {
        var g = c.Gan;
        return new GeneratorSpec(
            peFrequencies: g.PeFrequencies,
            encodingRange: g.EncodingRange,
            latentDim: g.LatentDim,
            width: g.Width,
            innerWidth: g.InnerWidth,
            tiles: g.Tiles.Select(t => new[] { t, t }).ToArray(),
            scales: g.Scales,
            interpolation: g.Interpolation,
            embeddingChannels: g.EmbeddingChannels,
            embeddingResolution: g.HasEmbedding ? g.EmbeddingResolutionFor(c.Data.Side) : 0,
            channels: channels,
            negativeSlope: g.NegativeSlope,
            expertInit: g.ExpertInit,
            output: g.Output);
    }

    /// <summary>The two patch discriminators for images with <paramref name="channels"/> channels.</summary>
    public static DiscriminatorSpec Discriminator(ResolvedConfig c, int channels) =>
        new(channels: channels, widths: c.Gan.DiscriminatorWidths, negativeSlope: c.Gan.NegativeSlope, powerIterations: c.Gan.PowerIterations);

    /// <summary>How a GAN trains: train.batch_size images per iteration, Adam for each network: the generator's at
    /// train.lr, the discriminator's at gan.discriminator_lr (0: train.lr); gan.ema the generator's moving average.</summary>
    public static GanTrain Training(ResolvedConfig c)
    {
        var t = c.Train;
        return new GanTrain(
            iterations: t.Iterations,
            batchSize: t.BatchSize,
            learningRate: t.Lr,
            discriminatorLearningRate: c.Gan.DiscriminatorLr,
            adam: t.Adam,
            emaDecay: c.Gan.Ema,
            seed: t.Seed,
            logEvery: t.LogEvery);
    }
}
