using LoE.Core;
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
    public static ModelSpec Model(ResolvedConfig c, int[]? signalSize = null)
    {
        var widths = c.Get<int[]>("model.widths");
        var tile = c.Get<int[]>("model.tile");
        var layoutName = c.Get<string>("model.layout");
        AffineMap[] layout;
        if (layoutName == Schema.ExplicitLayout)
            layout = c.Get<AffineMap[]>("model.affine");
        else if (layoutName == Schema.ScalesLayout)
            layout = Layouts.scales(tile.Length, c.Get<double[]>("model.scales"));
        else
        {
            try
            {
                var size = signalSize ?? c.GetOrDefault<int[]>("data.size");
                if (size is null && Layouts.sizedNames.Contains(layoutName))
                    throw new ArgumentException($"layout '{layoutName}' follows the signal's size, which is not known here");
                // data.size names no frame count; a dimension without a known size is not capped.
                var capped = size is null ? null : size.Length >= tile.Length ? size[..tile.Length] : [.. size, .. Enumerable.Repeat(int.MaxValue, tile.Length - size.Length)];
                layout = capped is null
                    ? Layouts.preset(layoutName, widths.Length, tile.Length, c.Get<double>("model.random_affine_std"), c.Get<int>(Schema.SeedKey))
                    : Layouts.sized(layoutName, widths.Length, tile.Length, c.Get<double>("model.random_affine_std"), c.Get<int>(Schema.SeedKey), capped);
            }
            catch (ArgumentException e)
            {
                throw new ConfigException(c.Find("model.layout").Origin, "model.layout", e.Message, e);
            }
        }
        var tiles = c.GetOrDefault<int[][]>("model.tiles");
        return new ModelSpec(
            c.Get<int>("model.pe_frequencies"),
            widths,
            tile,
            layout,
            Schema.InterpolationNames[c.Get<string>("model.interpolation")],
            c.Get<double>("model.negative_slope"),
            tiles!,
            Schema.InputNames[c.Get<string>("model.input")],
            c.Get<int>("model.embedding_channels"),
            c.GetOrDefault<object>("model.embedding_resolution") is int r ? r : 0,
            Schema.ActivationNames[c.Get<string>("model.activation")],
            c.GetOrDefault<object>("model.omega0") is double w ? w : ModelSpecModule.SirenOmega0,
            false,
            EncodingRange.Unit);
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
        c.Get<int>("train.log_every"),
        c.Get<int>("train.batch_size"));

    public static bool IsVideo(ResolvedConfig c) => c.GetOrDefault<string>("data.video") is not null;

    /// <summary>Full path of the image, resolved against the experiments file's folder.</summary>
    public static string ImagePath(ResolvedConfig c) =>
        Path.GetFullPath(Path.Combine(c.BaseDirectory, c.Get<string>("data.image")));

    /// <summary>[width, height] to resize to, or null to keep the image's size.</summary>
    public static int[]? ImageSize(ResolvedConfig c) => c.GetOrDefault<int[]>("data.size");

    /// <summary>data.frames as given, or null.</summary>
    public static int? Frames(ResolvedConfig c) => c.GetOrDefault<object>("data.frames") is int f ? f : null;
}
