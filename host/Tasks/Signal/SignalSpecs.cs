namespace LoE.Host.Tasks;

/// <summary>A signal's model and training from a resolved configuration (the audio task's too).</summary>
public static class SignalSpecs
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

    public static TrainSpec Train(ResolvedConfig c)
    {
        var t = c.Train;
        return new TrainSpec(
            iterations: t.Iterations,
            learningRate: t.Lr,
            lrDecayAt: t.LrDecayAt,
            lrDecayFactor: t.LrDecayFactor,
            adam: t.Adam,
            seed: t.Seed,
            logEvery: t.LogEvery,
            batchSize: t.BatchSize);
    }
}
