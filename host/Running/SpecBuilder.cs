using LoE.Core;
using LoE.Host.Config;

namespace LoE.Host.Running;

/// <summary>From a resolved configuration to the core's specifications.</summary>
public static class SpecBuilder
{
    /// <summary>
    /// The model; named layouts come from <see cref="Layouts.preset"/> (random-affine draws from the run's seed).
    /// A layout the core rejects for this shape is reported against model.layout.
    /// </summary>
    public static ModelSpec Model(ResolvedConfig c)
    {
        var widths = c.Get<int[]>("model.widths");
        var tile = c.Get<int[]>("model.tile");
        var layoutName = c.Get<string>("model.layout");
        AffineMap[] layout;
        if (layoutName == Schema.ExplicitLayout)
            layout = c.Get<AffineMap[]>("model.affine");
        else
        {
            try
            {
                layout = Layouts.preset(layoutName, widths.Length, tile.Length, c.Get<double>("model.random_affine_std"), c.Get<int>(Schema.SeedKey));
            }
            catch (ArgumentException e)
            {
                throw new ConfigException(c.Find("model.layout").Origin, "model.layout", e.Message, e);
            }
        }
        return new ModelSpec(
            c.Get<int>("model.pe_frequencies"),
            widths,
            tile,
            layout,
            Schema.InterpolationNames[c.Get<string>("model.interpolation")],
            c.Get<double>("model.negative_slope"));
    }

    public static TrainSpec Train(ResolvedConfig c) => new(
        c.Get<int>("train.iterations"),
        c.Get<double>("train.lr"),
        c.Get<int[]>("train.lr_decay_at"),
        c.Get<double>("train.lr_decay_factor"),
        c.Get<double>("train.beta1"),
        c.Get<double>("train.beta2"),
        c.Get<double>("train.epsilon"),
        c.Get<int>(Schema.SeedKey),
        c.Get<int>("train.log_every"));

    /// <summary>Full path of the image, resolved against the experiments file's folder.</summary>
    public static string ImagePath(ResolvedConfig c) =>
        Path.GetFullPath(Path.Combine(c.BaseDirectory, c.Get<string>("data.image")));

    /// <summary>[width, height] to resize to, or null to keep the image's size.</summary>
    public static int[]? ImageSize(ResolvedConfig c) => c.GetOrDefault<int[]>("data.size");
}
