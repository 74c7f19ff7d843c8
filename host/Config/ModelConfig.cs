using YamlDotNet.RepresentationModel;
using static LoE.Host.Config.ValueReader;

namespace LoE.Host.Config;

/// <summary><c>model</c>: the network (input mapping, position-dependent layers, layout, activation).</summary>
public sealed record ModelConfig : ICheckedSection
{
    public const string ExplicitLayout = "explicit";
    public const string ScalesLayout = "scales";

    /// <summary>Layout names: the core's presets (Table 5, Table 6), <c>scales</c> (A_i = s_i I from model.scales,
    /// section C) and <c>explicit</c> (A and b given in model.affine).</summary>
    public static IReadOnlyList<string> LayoutNames => [.. Layouts.names, .. Layouts.sizedNames, ScalesLayout, ExplicitLayout];

    [Key("what the first layer sees: pe (positional encoding), constant (a constant 1: position only through the weights), raw (SIREN)",
        Names = ["pe=Positional", "constant=Constant", "raw=Raw"], QuietAtDefault = true)]
    public InputMapping Input { get; init; } = InputMapping.Positional;

    [Key("positional-encoding frequencies L", Min = 0, Max = 30)]
    public int PeFrequencies { get; init; } = 8;

    [Key("channels of a learnable coordinate embedding concatenated with the input (\"PE + CE\"; 0: none)",
        Min = 0, Max = Limits.Channels, QuietAtDefault = true)]
    public int EmbeddingChannels { get; init; }

    [Key("the embedding's grid points per dimension, N-linearly interpolated (256 for images, 64 for video)",
        AppliesWhen = nameof(HasEmbedding), Min = 2, Max = Limits.Side)]
    public int EmbeddingResolution { get; init; } = 256;

    [Key("leaky-relu, or sine (SIREN: sin(ω0 x) and SIREN's initialisation)", Names = ["leaky-relu=LeakyRelu", "sine=Sine"], QuietAtDefault = true)]
    public Activation Activation { get; init; } = Activation.LeakyRelu;

    [Key("SIREN's ω0 in sin(ω0 x)", AppliesWhen = nameof(IsSine), Above = 0, Max = Limits.Omega0)]
    public double Omega0 { get; init; } = 30.0;

    [Key("output widths of the position-dependent layers; a final linear layer follows",
        Required = true, Min = 1, Max = Limits.Width, MinCount = 1, MaxCount = Limits.Layers)]
    public int[] Widths { get; init; } = [];

    [Key("experts per dimension in each layer's weight tile, e.g. [2, 2]; [1, 1]: plain linear layers",
        Required = true, Reader = nameof(ReadTile))]
    public int[] Tile { get; init; } = [];

    [Key("per-layer tiles instead, one per model.widths entry, e.g. [[2, 2, 2], [4, 4, 4], ...]", Reader = nameof(ReadTiles))]
    public int[][]? Tiles { get; init; }

    [Key("pe-mlp, quad-tree, gray-code (Table 5 read literally), gray-code-exact (the Gray code of the quad-tree bits: b = 0 on layer 1), fine-to-coarse, random-permute, random-affine (Table 5); interleaved, chunked, coarse-to-fine (Table 6: scales follow the image size, capped at its side in pixels); scales with model.scales; or explicit with model.affine",
        Required = true, Reader = nameof(ReadLayout))]
    public string Layout { get; init; } = "";

    [Key("with layout explicit: one {A, b} per position-dependent layer, e.g. [{A: [[2, 0], [0, 2]], b: [0, 0]}, ...]",
        AppliesWhen = nameof(IsExplicit), Required = true, Reader = nameof(ReadAffine))]
    public AffineMap[]? Affine { get; init; }

    [Key("with layout scales: s_i per position-dependent layer (A_i = s_i I, b_i = 0)",
        AppliesWhen = nameof(IsScales), Required = true, Reader = nameof(ReadScales))]
    public double[]? Scales { get; init; }

    [Key("nearest, nlinear (alias bilinear: the paper's eq. 4, expert j peaking at grid vertex j) or nlinear-centred (expert j at the cell centre j + 0.5, where it equals nearest)",
        Names = ["nearest=Nearest", "nlinear=NLinear", "bilinear=NLinear", "nlinear-centred=NLinearCentred"])]
    public Interpolation Interpolation { get; init; } = Interpolation.Nearest;

    [Key("true: one bias per position-dependent layer, h(x, p) = ψ(p) x + b (the main paper); false: one bias per expert, blended like the weights")]
    public bool SharedBias { get; init; } = true;

    // The paper leaves it open; independent draws were this project's only behaviour before the key existed, so
    // runs that do not write it keep their ids.
    [Key("how each position-dependent layer's experts start: independent (a Kaiming draw per expert: a different random network in every cell) or replicated (one draw copied to every expert: the dense network at step 0)",
        Names = ["independent=Independent", "replicated=Replicated"], QuietAtDefault = true)]
    public ExpertInit ExpertInit { get; init; } = ExpertInit.Independent;

    [Key("what the positional encoding (or SIREN's raw input) sees: unit (p in [0, 1]) or symmetric (2p − 1 in [−1, 1], SIREN's and ACORN's code); the expert grids always take p in [0, 1]",
        Names = ["unit=Unit", "symmetric=Symmetric"], AppliesWhen = nameof(IsEncoded))]
    public EncodingRange EncodingRange { get; init; } = EncodingRange.Unit;

    [Key("LeakyReLU negative slope", Min = 0)]
    public double NegativeSlope { get; init; } = 0.2;

    [Key("standard deviation of A's entries for layout random-affine", Min = 0)]
    public double RandomAffineStd { get; init; } = 16.0;

    public bool HasEmbedding => EmbeddingChannels > 0;
    public bool IsEncoded => Input != InputMapping.Constant;
    public bool IsSine => Activation == Activation.Sine;
    public bool IsExplicit => Layout == ExplicitLayout;
    public bool IsScales => Layout == ScalesLayout;

    /// <summary>The core's model specification of this section, with the layer maps of <paramref name="layout"/>.</summary>
    public ModelSpec Spec(AffineMap[] layout) => new(
        peFrequencies: PeFrequencies,
        hiddenWidths: Widths,
        tile: Tile,
        layout: layout,
        interpolation: Interpolation,
        negativeSlope: NegativeSlope,
        tiles: Tiles!,
        input: Input,
        embeddingChannels: EmbeddingChannels,
        embeddingResolution: HasEmbedding ? EmbeddingResolution : 0,
        activation: Activation,
        omega0: Omega0,
        sharedBias: SharedBias,
        encodingRange: EncodingRange,
        expertInit: ExpertInit);

    public void Check(ConfigContext c)
    {
        var dims = c.Dims;
        if (HasEmbedding && Math.Pow(EmbeddingResolution, dims) * EmbeddingChannels is var cells && cells > Limits.Samples)
            throw c.Error("model.embedding_resolution",
                $"{EmbeddingResolution}^{dims} grid points × {EmbeddingChannels} channels is {cells:0} values; at most {Limits.Samples} fit in memory");
        // Parameters as the core counts them (every expert's weights and bias, the embedding), with the last layer
        // to 3 channels.
        var parameters = Networks.parameterCount(Spec([]), 3);
        if (parameters > Limits.Parameters)
            throw c.Error(Tiles is null ? "model.widths" : "model.tiles",
                $"the model would have about {parameters:0} parameters; at most {Limits.Parameters} fit in memory");
    }

    private static object ReadLayout(string key, ConfigValue v, ConfigContext _) => OneOf(key, v, "layout", LayoutNames);

    private static object ReadTile(string key, ConfigValue v, ConfigContext c) => ReadOneTile(key, v, c);

    private static int[] ReadOneTile(string key, ConfigValue v, ConfigContext c)
    {
        var dims = c.Dims;
        var tile = IntList(key, v, entryMin: 1, minCount: 1, maxCount: 3, entryMax: Limits.TileSide);
        if (tile.Length != dims)
            throw Error(key, v, $"{c.Coordinates} coordinates are {dims}-D, so the tile needs {dims} entries, got {tile.Length}");
        return tile;
    }

    private static object ReadTiles(string key, ConfigValue v, ConfigContext c)
    {
        var layers = c.Model.Widths.Length;
        var items = List(key, v, "tiles");
        if (items.Count != layers)
            throw Error(key, v, $"expected one tile per position-dependent layer ({layers}, the length of model.widths), got {items.Count}");
        return items.Select((item, i) => ReadOneTile($"{key}[{i}]", item, c)).ToArray();
    }

    private static object ReadScales(string key, ConfigValue v, ConfigContext c) => NumberList(key, v, c.Model.Widths.Length);

    private static object ReadAffine(string key, ConfigValue v, ConfigContext c)
    {
        var layers = c.Model.Widths.Length;
        var items = List(key, v, "{A, b} maps");
        if (items.Count != layers)
            throw Error(key, v, $"expected one {{A, b}} per position-dependent layer ({layers}, the length of model.widths), got {items.Count}");
        return items.Select((item, i) => ReadAffineMap($"{key}[{i}]", item, c.Dims)).ToArray();
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
