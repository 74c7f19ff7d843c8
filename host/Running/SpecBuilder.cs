using LoE.Core;
using LoE.Core.Gan;
using LoE.Core.Nerf;
using LoE.Host.Config;

namespace LoE.Host.Running;

/// <summary>From a resolved configuration to the core's specifications.</summary>
public static class SpecBuilder
{
    /// <summary>
    /// The model; named layouts come from <see cref="Layouts.sized"/> (random-affine draws from the run's seed;
    /// Table 6's layouts follow <paramref name="signalSize"/>, the data's samples per dimension, or data.size when
    /// not given). A layout the core rejects for this shape is reported against model.layout.
    /// </summary>
    public static ModelSpec Model(ResolvedConfig c, int[]? signalSize = null) => c.Model.Spec(Layout(c, signalSize));

    private static AffineMap[] Layout(ResolvedConfig c, int[]? signalSize)
    {
        var m = c.Model;
        if (m.IsExplicit) return m.Affine!;
        if (m.IsScales) return Layouts.scales(m.Tile.Length, m.Scales!);
        try
        {
            var size = signalSize ?? c.Data.Size;
            if (size is null && Layouts.sizedNames.Contains(m.Layout))
                throw new ArgumentException($"layout '{m.Layout}' follows the signal's size, which is not known here");
            var dims = m.Tile.Length;
            // data.size names no frame count; a dimension without a known size is not capped.
            var capped = size is null ? null : size.Length >= dims ? size[..dims] : [.. size, .. Enumerable.Repeat(int.MaxValue, dims - size.Length)];
            return capped is null
                ? Layouts.preset(m.Layout, m.Widths.Length, dims, m.RandomAffineStd, c.Train.Seed)
                : Layouts.sized(m.Layout, m.Widths.Length, dims, m.RandomAffineStd, c.Train.Seed, capped);
        }
        catch (ArgumentException e)
        {
            throw new ConfigException(c.Find("model.layout").Origin, "model.layout", e.Message, e);
        }
    }

    /// <summary>
    /// A radiance field (section D) from the model and scene sections: the trunk is model.widths (checked equal),
    /// every trunk layer position-dependent with model.tile on A_i = s_i I (layout scales) or none (pe-mlp).
    /// </summary>
    /// <paramref name="scene"/> gives the box that scene.encoding nerf maps back to world units; without it (counts,
    /// checks) a nerf encoding is built for a scene at centre 0 and scale 1.
    public static NerfModel Nerf(ResolvedConfig c, Scene? scene = null)
    {
        var m = c.Model;
        var experts = m.IsScales && m.Tile.Any(t => t > 1);
        return new NerfModel(
            peFrequencies: m.PeFrequencies,
            directionFrequencies: c.Scene.DirectionFrequencies,
            width: m.Widths[0],
            trunkLayers: m.Widths.Length,
            colourWidth: c.Scene.ColourWidth,
            expertLayers: experts ? m.Widths.Length : 0,
            tile: experts ? m.Tile : [1, 1, 1],
            scales: experts ? m.Scales! : [],
            interpolation: m.Interpolation,
            negativeSlope: m.NegativeSlope,
            sharedBias: m.SharedBias,
            expertInit: m.ExpertInit,
            encoding: PositionEncodingModule.choose(c.Scene.Encoding, scene?.Centre ?? [0.0, 0.0, 0.0], scene?.Scale ?? 1.0));
    }

    /// <summary>How a radiance field trains: train.batch_size rays per iteration, NeRF's exponential decay.</summary>
    public static NerfTrain NerfTraining(ResolvedConfig c)
    {
        var (t, s) = (c.Train, c.Scene);
        return new NerfTrain(
            iterations: t.Iterations,
            rays: t.BatchSize,
            coarseSamples: s.CoarseSamples,
            fineSamples: s.FineSamples,
            learningRate: t.Lr,
            lrDecaySteps: s.LrDecaySteps,
            beta1: t.Beta1,
            beta2: t.Beta2,
            epsilon: t.Epsilon,
            seed: t.Seed,
            logEvery: t.LogEvery,
            chunk: s.Chunk,
            fineWeights: s.FineWeights,
            evalEvery: s.EvalEvery,
            evalViews: s.EvalViews);
    }

    public static TrainSpec Train(ResolvedConfig c)
    {
        var t = c.Train;
        return new TrainSpec(
            iterations: t.Iterations,
            learningRate: t.Lr,
            lrDecayAt: t.LrDecayAt,
            lrDecayFactor: t.LrDecayFactor,
            beta1: t.Beta1,
            beta2: t.Beta2,
            epsilon: t.Epsilon,
            seed: t.Seed,
            logEvery: t.LogEvery,
            batchSize: t.BatchSize);
    }

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
    /// train.lr, the discriminator's at gan.discriminator_lr (0: train.lr).</summary>
    public static GanTrain GanTraining(ResolvedConfig c)
    {
        var t = c.Train;
        return new GanTrain(
            iterations: t.Iterations,
            batchSize: t.BatchSize,
            learningRate: t.Lr,
            discriminatorLearningRate: c.Gan.DiscriminatorLr,
            beta1: t.Beta1,
            beta2: t.Beta2,
            epsilon: t.Epsilon,
            seed: t.Seed,
            logEvery: t.LogEvery);
    }
}
