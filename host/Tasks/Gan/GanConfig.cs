using LoE.Core.Gan;
using LoE.Host.Metrics;
using static LoE.Host.Config.ValueReader;

namespace LoE.Host.Tasks;

/// <summary>The pretrained network whose features the Fréchet distance and KID compare.</summary>
public enum FeatureNetworkKind
{
    /// <summary>ImageNet ResNet-18 (ONNX, shipped through NuGet): reported as "FD (ResNet-18)", never as FID.</summary>
    ResNet18,
    /// <summary>pytorch-fid's Inception-v3 with the user's FID weights file: FID proper.</summary>
    InceptionV3,
}

/// <summary>
/// <c>gan</c>: image generation (data.images, section E). Both networks live here: the generator (a per-pixel
/// coordinate network with z fed into its first layer, then residual blocks whose first linear layer is
/// position-dependent where gan.tiles says so) and the two patch discriminators; and how samples are drawn and
/// scored. The model section does not apply to a GAN. The defaults are Table 11's "Ours" at full scale (see
/// core/Gan/Presets.fs for how the paper's counts fix them); PE + CE is gan.tiles all 1 with
/// gan.embedding_channels 256. train.batch_size is the images per iteration (32 in the paper).
/// </summary>
public sealed record GanConfig : ICheckedSection
{
    public const int Blocks = 7;

    [Key("length of the latent z, fed into the generator's first layer with the encoded pixel centre", Min = 1, Max = 1_000_000)]
    public int LatentDim { get; init; } = 3400;

    [Key("generator trunk width: the first layer's and every residual block's output", Min = 1, Max = Limits.Width)]
    public int Width { get; init; } = 512;

    [Key("width inside a residual block (x + f(x), f: width → inner_width → width)", Min = 1, Max = Limits.Width)]
    public int InnerWidth { get; init; } = 173;

    [Key("positional-encoding frequencies L of the pixel centre", Min = 0, Max = 30)]
    public int PeFrequencies { get; init; } = 8;

    [Key("what the positional encoding sees: unit (p in [0, 1]) or symmetric (2p − 1 in [−1, 1])", Names = ["unit=Unit", "symmetric=Symmetric"])]
    public EncodingRange EncodingRange { get; init; } = EncodingRange.Unit;

    [Key("channels of a learnable coordinate embedding joined to the encoding (\"PE + CE\": 256; 0: none)", Min = 0, Max = Limits.Channels)]
    public int EmbeddingChannels { get; init; }

    [Key("the embedding's lattice points per side (0: the image side, as the paper's 256 on 256² images)", AppliesWhen = nameof(HasEmbedding), Min = 0, Max = Limits.Side)]
    public int EmbeddingResolution { get; init; }

    [Key("per residual block (7), the side t of its first layer's t×t expert tile (1: a plain layer, as PE + CE)",
        Min = 1, Max = Limits.TileSide, MinCount = Blocks, MaxCount = Blocks)]
    public int[] Tiles { get; init; } = [3, 3, 4, 4, 4, 8, 8];

    [Key("per residual block (7), the grid resolution s_i of its experts (A_i = s_i I, b_i = 0; coarse to fine)",
        Reader = nameof(ReadScales))]
    public double[] Scales { get; init; } = [2, 4, 8, 16, 32, 64, 128];

    [Key("nearest, or nlinear (the paper's eq. 4) for the experts' weights", Names = ["nearest=Nearest", "nlinear=NLinear", "bilinear=NLinear"])]
    public Interpolation Interpolation { get; init; } = Interpolation.Nearest;

    [Key("how each block's experts start: independent (a Kaiming draw per expert) or replicated (one draw copied to every expert: the plain generator at step 0)",
        Names = ["independent=Independent", "replicated=Replicated"], QuietAtDefault = true)]
    public ExpertInit ExpertInit { get; init; } = ExpertInit.Independent;

    [Key("the generator's output: linear (unbounded; samples and scores clip it to the data's [−1, 1]) or tanh (squashed into [−1, 1])",
        Names = ["linear=Linear", "tanh=Tanh"], QuietAtDefault = true)]
    public GeneratorOutput Output { get; init; } = GeneratorOutput.Linear;

    [Key("LeakyReLU negative slope of both networks", Min = 0)]
    public double NegativeSlope { get; init; } = 0.2;

    [Key("output channels of the 5 convolutions of each patch discriminator (3×3, stride 2); the last is 1, a score per patch",
        Min = 1, Max = Limits.Width, MinCount = 5, MaxCount = 5)]
    public int[] DiscriminatorWidths { get; init; } = [64, 128, 256, 512, 1];

    [Key("the discriminator's Adam learning rate (0: train.lr, the generator's; two time-scale practice: e.g. 4e-4 with train.lr 1e-4)",
        Min = 0, QuietAtDefault = true)]
    public double DiscriminatorLr { get; init; }

    [Key("decay β of a moving average of the generator's parameters, which samples and scores then read (0: none; e.g. 0.999): each iteration it becomes β · itself + (1 − β) · the generator",
        Min = 0, Max = 0.999999, QuietAtDefault = true)]
    public double Ema { get; init; }

    [Key("power iterations per step for spectral normalisation's σ̂ (1, as Miyato et al.)", Min = 1, Max = 100)]
    public int PowerIterations { get; init; } = 1;

    [Key("generated and real images the Fréchet distance and KID compare (the paper: 50000)", Min = 2, Max = 1_000_000)]
    public int EvalSamples { get; init; } = 50_000;

    [Key("features for FD and KID: resnet-18 (ImageNet ResNet-18, shipped; reported as FD, not FID) or inception-v3 (FID proper: needs gan.inception_weights)",
        Names = ["resnet-18=ResNet18", "inception-v3=InceptionV3"])]
    public FeatureNetworkKind Features { get; init; } = FeatureNetworkKind.ResNet18;

    // Where the file lies changes no result (its contents are fixed by the name).
    [Key("pytorch-fid's weights file pt_inception-2015-12-05-6726825d.pth (https://github.com/mseitzer/pytorch-fid/releases), for gan.features: inception-v3",
        AppliesWhen = nameof(IsInception), InHash = false, Reader = nameof(ReadWeights))]
    public string? InceptionWeights { get; init; }

    [Key("write samples/iteration-NNNNNNN.png (a grid from fixed latents) every this many iterations (0: only at the end)",
        Min = 0, Max = Limits.Iterations, InHash = false)]
    public int SampleEvery { get; init; } = 1000;

    [Key("images in each sample grid (8 per row)", Min = 1, Max = 1024, InHash = false)]
    public int SampleGrid { get; init; } = 64;

    public bool HasEmbedding => EmbeddingChannels > 0;
    public bool IsInception => Features == FeatureNetworkKind.InceptionV3;

    public void Check(ConfigContext c)
    {
        if (c.Train.BatchSize == 0) throw c.Error("train.batch_size", "a GAN trains on batches of images: give the images per iteration (the paper: 32)");
        if (c.Train.LrDecayAt.Length > 0) throw c.Error("train.lr_decay_at", "a GAN trains at a constant learning rate (section E)");
        if (IsInception && InceptionWeights is null)
            throw c.Error("gan.features", $"FID needs pytorch-fid's Inception weights: download {InceptionFidFeatures.WeightsUrl} and give its path as gan.inception_weights (or use gan.features: resnet-18)");
        if (c.Data.Size is [var w, var h] && (w != h || w % 2 != 0))
            throw c.Error("data.size", $"a GAN's images are square with an even side (the discriminator halves it), got {w}×{h}");
        var lattice = EmbeddingResolutionFor(c.Data.Side);
        if (HasEmbedding && (long)lattice * lattice * EmbeddingChannels > Limits.Samples)
            throw c.Error("gan.embedding_channels", $"a {lattice}² embedding of {EmbeddingChannels} channels does not fit in memory");
        var experts = Tiles.Sum(t => (double)t * t);
        if (experts * Width * InnerWidth > Limits.Parameters)
            throw c.Error("gan.tiles", $"the generator's experts would hold about {experts * Width * InnerWidth:0} parameters; at most {Limits.Parameters} fit in memory");
        if (DiscriminatorWidths[^1] != 1) throw c.Error("gan.discriminator_widths", "the last layer gives one score per patch: its width is 1");
    }

    /// <summary>The embedding's lattice side for images of <paramref name="side"/> pixels.</summary>
    public int EmbeddingResolutionFor(int side) => EmbeddingResolution > 0 ? EmbeddingResolution : side;

    private static object ReadScales(string key, ConfigValue v, ConfigContext c)
    {
        var scales = NumberList(key, v, Blocks);
        foreach (var s in scales)
            if (!(s > 0) || double.IsInfinity(s)) throw Error(key, v, $"grid resolutions are positive numbers, got {Canonical.Number(s)}");
        return scales;
    }

    private static object ReadWeights(string key, ConfigValue v, ConfigContext c)
    {
        var path = Text(key, v);
        var full = Path.GetFullPath(Path.Combine(c.BaseDirectory, path));
        if (!File.Exists(full))
            throw Error(key, v, $"FID weights not found: {full}. Download {InceptionFidFeatures.WeightsUrl} (pytorch-fid's Inception-v3), or use gan.features: resnet-18");
        return path;
    }
}
