using LoE.Core;
using YamlDotNet.RepresentationModel;
using static LoE.Host.Config.ValueReader;

namespace LoE.Host.Config;

/// <summary>Every key a run configuration may have, in canonical order, with its checks and defaults.</summary>
public static class Schema
{
    public const string ExplicitLayout = "explicit";
    public const string SeedKey = "train.seed";

    /// <summary>Spellings accepted for model.interpolation, and the core value each means.</summary>
    public static readonly IReadOnlyDictionary<string, Interpolation> InterpolationNames = new Dictionary<string, Interpolation>
    {
        ["nearest"] = Interpolation.Nearest,
        ["nlinear"] = Interpolation.NLinear,
        ["bilinear"] = Interpolation.NLinear,
    };

    public const string ScalesLayout = "scales";

    /// <summary>Layout names: the core's presets (Table 5, Table 6), <c>scales</c> (A_i = s_i I from model.scales,
    /// section C) and <c>explicit</c> (A and b given in model.affine).</summary>
    public static IReadOnlyList<string> LayoutNames => [.. Layouts.names, .. Layouts.sizedNames, ScalesLayout, ExplicitLayout];

    public static readonly IReadOnlyDictionary<string, InputMapping> InputNames = new Dictionary<string, InputMapping>
    {
        ["pe"] = InputMapping.Positional,
        ["constant"] = InputMapping.Constant,
        ["raw"] = InputMapping.Raw,
    };

    public static readonly IReadOnlyDictionary<string, Activation> ActivationNames = new Dictionary<string, Activation>
    {
        ["leaky-relu"] = Activation.LeakyRelu,
        ["sine"] = Activation.Sine,
    };

    /// <summary>Images have 2-D coordinates p ∈ [0,1]², videos 3-D (x, y, t); affine maps and tiles must match.</summary>
    public static int Dims(ResolveContext c) => c.ReadSoFar.ContainsKey("data.video") ? 3 : 2;

    public static readonly IReadOnlyList<KeySpec> Keys =
    [
        new("row.name", "the table row a run belongs to (set by a `row` sweep)", (v, _) => Text("row.name", v), Optional: true),
        // How to get data that cannot ship with the repository changes nothing a run computes.
        new("data.obtain", "how to obtain data.image/data.video when it is missing (then checked only when the run starts)",
            (v, _) => Text("data.obtain", v), Optional: true, InHash: false),
        new("data.video", "video: a folder of frames (sorted by name), a GIF, a video file (through ffmpeg), or generated:pan-zoom:IMAGE",
            ReadVideo, Optional: true),
        new("data.image", "image file (PNG or JPEG), relative to the experiments file's folder", ReadImagePath,
            Optional: true, AppliesWhen: c => !c.ReadSoFar.ContainsKey("data.video")),
        new("data.size", "resize to size×size, or [width, height]; absent keeps the image's size", ReadSize, Optional: true),
        new("data.frames", "video frames to use (generated videos: how many to make; 16)", (v, _) => Int("data.frames", v, min: 1),
            Optional: true, AppliesWhen: c => c.ReadSoFar.ContainsKey("data.video")),

        new("model.input", "what the first layer sees: pe (positional encoding), constant (position only through the weights), raw (SIREN)",
            (v, _) => OneOf("model.input", v, "input mapping", InputNames.Keys.ToList()), Default: "pe", QuietAtDefault: true),
        new("model.pe_frequencies", "positional-encoding frequencies L", (v, _) => Int("model.pe_frequencies", v, min: 0, max: 30), Default: 8),
        new("model.embedding_channels", "channels of a learnable coordinate embedding concatenated with the input (PE + CE; 0: none)",
            (v, _) => Int("model.embedding_channels", v, min: 0), Default: 0, QuietAtDefault: true),
        new("model.embedding_resolution", "embedding grid points per dimension (256 for images, 64 for video)",
            (v, _) => Int("model.embedding_resolution", v, min: 2), Default: 256, AppliesWhen: c => c.Get<int>("model.embedding_channels") > 0),
        new("model.activation", "leaky-relu or sine (SIREN, with its initialisation)",
            (v, _) => OneOf("model.activation", v, "activation", ActivationNames.Keys.ToList()), Default: "leaky-relu", QuietAtDefault: true),
        new("model.omega0", "SIREN's ω0 in sin(ω0 x)", (v, _) => Number("model.omega0", v, above: 0), Default: 30.0,
            AppliesWhen: c => c.Get<string>("model.activation") == "sine"),
        new("model.widths", "output widths of the position-dependent layers (a final linear layer follows)",
            (v, _) => IntList("model.widths", v, entryMin: 1, minCount: 1)),
        new("model.tile", "experts per dimension in each layer's tile, e.g. [2, 2] ([1, 1]: plain linear layers)", ReadTile),
        new("model.tiles", "per-layer tiles, one per entry of model.widths (overrides model.tile), e.g. [[2,2,2],[4,4,4],...]",
            ReadTiles, Optional: true),
        new("model.layout", "grid layout: " + string.Join(", ", Layouts.names) + ", or explicit (see model.affine)",
            (v, _) => OneOf("model.layout", v, "layout", LayoutNames)),
        new("model.affine", "with layout explicit: one {A, b} per position-dependent layer", ReadAffine,
            AppliesWhen: c => c.Get<string>("model.layout") == ExplicitLayout),
        new("model.scales", "with layout scales: s_i per position-dependent layer, A_i = s_i I, b_i = 0", ReadScales,
            AppliesWhen: c => c.Get<string>("model.layout") == ScalesLayout),
        new("model.interpolation", "nearest or nlinear (alias bilinear)", ReadInterpolation, Default: "nearest"),
        new("model.negative_slope", "LeakyReLU negative slope", (v, _) => Number("model.negative_slope", v, atLeast: 0), Default: 0.2),
        new("model.random_affine_std", "standard deviation of A's entries for layout random-affine",
            (v, _) => Number("model.random_affine_std", v, atLeast: 0), Default: 16.0),

        new("train.iterations", "training iterations", (v, _) => Int("train.iterations", v, min: 1)),
        new("train.lr", "Adam learning rate", (v, _) => Number("train.lr", v, above: 0)),
        new("train.lr_decay_at", "iterations after which the learning rate is multiplied by lr_decay_factor",
            (v, _) => IntList("train.lr_decay_at", v, entryMin: 1), Default: Array.Empty<int>()),
        new("train.lr_decay_factor", "learning-rate multiplier at each lr_decay_at", (v, _) => Number("train.lr_decay_factor", v, above: 0), Default: 0.1),
        new("train.beta1", "Adam β1", (v, _) => Number("train.beta1", v, atLeast: 0, below: 1), Default: 0.9),
        new("train.beta2", "Adam β2", (v, _) => Number("train.beta2", v, atLeast: 0, below: 1), Default: 0.999),
        new("train.epsilon", "Adam ε", (v, _) => Number("train.epsilon", v, above: 0), Default: 1e-8),
        new("train.batch_size", "samples drawn at random per iteration (0: the whole signal every iteration)",
            (v, _) => Int("train.batch_size", v, min: 0), Default: 0, QuietAtDefault: true),
        new("train.log_every", "record metrics every this many iterations", (v, _) => Int("train.log_every", v, min: 1), Default: 100),
        // Where a run saves its state changes nothing it computes, so it stays out of the run id.
        new("train.checkpoint_every", "write checkpoint.bin every this many iterations (0: never)",
            (v, _) => Int("train.checkpoint_every", v, min: 0), Default: 500, InHash: false),
    ];

    public static IReadOnlyList<string> KeyNames { get; } = Keys.Select(k => k.Key).ToList();

    /// <summary>Keys that do not change a run's results (and so neither its id nor its hash).</summary>
    public static IReadOnlySet<string> UnhashedKeys { get; } = Keys.Where(k => !k.InHash).Select(k => k.Key).ToHashSet();

    /// <summary>Keys left out of the hash and config.yaml while at their default (canonical text of the default).</summary>
    public static IReadOnlyDictionary<string, string> QuietDefaults { get; } =
        Keys.Where(k => k.QuietAtDefault && k.Default is not null).ToDictionary(k => k.Key, k => Canonical.Format(k.Default));

    private static readonly HashSet<string> Groups = Keys.Select(k => k.Key[..k.Key.IndexOf('.')]).ToHashSet();

    /// <summary>Fails unless <paramref name="key"/> is a configuration key; suggests the nearest one.</summary>
    public static void CheckKnown(string key, Origin origin)
    {
        if (KeyNames.Contains(key)) return;
        if (key == SeedKey)
            throw new ConfigException(origin, key, "the seed comes from the experiment's 'seeds: [...]' list, not from train.seed");
        if (Groups.Contains(key))
            throw new ConfigException(origin, key, $"expected a mapping of keys such as {string.Join(", ", KeyNames.Where(k => k.StartsWith(key + ".", StringComparison.Ordinal)).Take(3))}");
        throw new ConfigException(origin, key, $"unknown key '{key}'{Suggest.Hint(key, KeyNames)}");
    }

    /// <summary>
    /// Checks every key of a flat configuration and reads it into typed values (defaults filled in, keys in
    /// canonical order). <paramref name="where"/> is blamed for missing keys.
    /// </summary>
    public static ResolvedConfig Resolve(
        IReadOnlyDictionary<string, ConfigValue> raw, int seed, string baseDirectory, Origin where, string? whereKey = null)
    {
        foreach (var (key, value) in raw) CheckKnown(key, value.Origin);

        var read = new Dictionary<string, object>();
        var context = new ResolveContext(baseDirectory, read);
        var values = new List<ResolvedValue>();
        foreach (var spec in Keys)
        {
            if (spec.AppliesWhen is { } applies && !applies(context)) continue;
            if (raw.TryGetValue(spec.Key, out var value))
            {
                var typed = spec.Read(value, context);
                read[spec.Key] = typed;
                values.Add(new ResolvedValue(spec.Key, typed, value.Origin));
            }
            else if (spec.Default is { } d)
            {
                read[spec.Key] = d;
                values.Add(new ResolvedValue(spec.Key, d, null));
            }
            else if (!spec.Optional)
                throw new ConfigException(where, whereKey, $"missing required key '{spec.Key}' ({spec.Help})");
        }
        if (!read.ContainsKey("data.image") && !read.ContainsKey("data.video"))
            throw new ConfigException(where, whereKey, "missing required key 'data.image' (or 'data.video')");
        values.Add(new ResolvedValue(SeedKey, seed, null));
        return new ResolvedConfig(values, baseDirectory);
    }

    private static object ReadImagePath(ConfigValue v, ResolveContext c)
    {
        var path = Text("data.image", v);
        var full = Path.GetFullPath(Path.Combine(c.BaseDirectory, path));
        // Data the user supplies (data.obtain says how) is checked when the run is prepared, so that `loe list`
        // and the other experiments of the file work without it.
        if (!File.Exists(full) && !c.ReadSoFar.ContainsKey("data.obtain"))
        {
            var folder = Path.GetDirectoryName(full);
            var nearby = folder is not null && Directory.Exists(folder)
                ? Suggest.Hint(Path.GetFileName(full), Directory.EnumerateFiles(folder).Select(Path.GetFileName).OfType<string>())
                : "";
            throw Error("data.image", v, $"image file not found: {full}{nearby}");
        }
        return path;
    }

    public const string GeneratedPrefix = "generated:";

    private static object ReadVideo(ConfigValue v, ResolveContext c)
    {
        var spec = Text("data.video", v);
        if (spec.StartsWith(GeneratedPrefix, StringComparison.Ordinal))
        {
            var parts = spec.Split(':', 3);
            if (parts.Length != 3 || parts[1] != "pan-zoom")
                throw Error("data.video", v, $"expected generated:pan-zoom:IMAGE (a pan and zoom over an image), got \"{spec}\"");
            if (!File.Exists(Path.GetFullPath(Path.Combine(c.BaseDirectory, parts[2]))))
                throw Error("data.video", v, $"image file not found: {Path.GetFullPath(Path.Combine(c.BaseDirectory, parts[2]))}");
            return spec;
        }
        var full = Path.GetFullPath(Path.Combine(c.BaseDirectory, spec));
        if (!File.Exists(full) && !Directory.Exists(full) && !c.ReadSoFar.ContainsKey("data.obtain"))
            throw Error("data.video", v, $"video not found (a folder of frames, a GIF or a video file): {full}");
        return spec;
    }

    private static object ReadSize(ConfigValue v, ResolveContext _)
    {
        if (v.Node is YamlSequenceNode) return IntList("data.size", v, entryMin: 1, minCount: 2, maxCount: 2);
        var n = Int("data.size", v, min: 1);
        return new[] { n, n };
    }

    private static object ReadTile(ConfigValue v, ResolveContext c) => ReadOneTile("model.tile", v, c);

    private static int[] ReadOneTile(string key, ConfigValue v, ResolveContext c)
    {
        var dims = Dims(c);
        var tile = IntList(key, v, entryMin: 1, minCount: 1, maxCount: 3);
        if (tile.Length != dims)
            throw Error(key, v, $"{(dims == 2 ? "image" : "video")} coordinates are {dims}-D, so the tile needs {dims} entries, got {tile.Length}");
        return tile;
    }

    private static object ReadTiles(ConfigValue v, ResolveContext c)
    {
        var layers = c.Get<int[]>("model.widths").Length;
        var items = List("model.tiles", v, "tiles");
        if (items.Count != layers)
            throw Error("model.tiles", v, $"expected one tile per position-dependent layer ({layers}, the length of model.widths), got {items.Count}");
        return items.Select((item, i) => ReadOneTile($"model.tiles[{i}]", item, c)).ToArray();
    }

    private static object ReadScales(ConfigValue v, ResolveContext c)
    {
        var layers = c.Get<int[]>("model.widths").Length;
        return NumberList("model.scales", v, layers);
    }

    private static object ReadInterpolation(ConfigValue v, ResolveContext _)
    {
        var name = OneOf("model.interpolation", v, "interpolation", InterpolationNames.Keys.ToList());
        // One spelling per meaning, so that "bilinear" and "nlinear" runs share a hash.
        return InterpolationNames[name] == Interpolation.NLinear ? "nlinear" : "nearest";
    }

    private static object ReadAffine(ConfigValue v, ResolveContext c)
    {
        const string key = "model.affine";
        var layers = c.Get<int[]>("model.widths").Length;
        var dims = Dims(c);
        var items = List(key, v, "{A, b} maps");
        if (items.Count != layers)
            throw Error(key, v, $"expected one {{A, b}} per position-dependent layer ({layers}, the length of model.widths), got {items.Count}");
        return items.Select((item, i) => ReadAffineMap($"{key}[{i}]", item, dims)).ToArray();
    }

    private static AffineMap ReadAffineMap(string key, ConfigValue item, int dims)
    {
        if (item.Node is not YamlMappingNode map)
            throw Error(key, item, $"expected a mapping {{A: [[..], ..], b: [..]}}, got {YamlText.Describe(item.Node)}");
        ConfigValue? a = null, b = null;
        foreach (var (k, value) in map.Children)
        {
            var name = YamlText.ScalarValue(k) ?? "";
            switch (name)
            {
                case "A": a = item.Child(value); break;
                case "b" or "B": b = item.Child(value); break;
                default: throw Error($"{key}.{name}", item.Child(k), $"unknown key '{name}'{Suggest.Hint(name, ["A", "b"])}; an affine map has A and b");
            }
        }
        if (a is null) throw Error(key, item, $"missing A (a {dims}×{dims} matrix)");
        if (b is null) throw Error(key, item, $"missing b (a list of {dims} numbers)");
        var rows = ExactList($"{key}.A", a, "rows", dims);
        var matrix = new double[dims, dims];
        for (var r = 0; r < dims; r++)
        {
            var row = NumberList($"{key}.A[{r}]", rows[r], dims);
            for (var col = 0; col < dims; col++) matrix[r, col] = row[col];
        }
        return new AffineMap(matrix, NumberList($"{key}.b", b, dims));
    }
}
