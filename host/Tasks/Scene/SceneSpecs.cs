using LoE.Core.Nerf;

namespace LoE.Host.Tasks;

/// <summary>A radiance field and its training from a resolved configuration's model and scene sections.</summary>
public static class SceneSpecs
{
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
    public static NerfTrain Training(ResolvedConfig c)
    {
        var (t, s) = (c.Train, c.Scene);
        return new NerfTrain(
            iterations: t.Iterations,
            rays: t.BatchSize,
            coarseSamples: s.CoarseSamples,
            fineSamples: s.FineSamples,
            learningRate: t.Lr,
            lrDecaySteps: s.LrDecaySteps,
            adam: t.Adam,
            seed: t.Seed,
            logEvery: t.LogEvery,
            chunk: s.Chunk,
            fineWeights: s.FineWeights,
            evalEvery: s.EvalEvery,
            evalViews: s.EvalViews);
    }
}
