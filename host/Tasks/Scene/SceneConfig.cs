namespace LoE.Host.Tasks;

/// <summary>
/// <c>scene</c>: what a radiance field (data.scene, section D) needs beyond the model and train sections: samples
/// per ray, the colour branch, NeRF's learning-rate decay, the held-out views, and what is rendered after training.
/// The trunk is model.widths (equal widths), model.tile and model.layout (pe-mlp, or scales with model.scales);
/// rays per iteration are train.batch_size.
/// </summary>
public sealed record SceneConfig : ICheckedSection
{
    [Key("stratified (coarse) samples per ray", Min = 1, Max = 4096)]
    public int CoarseSamples { get; init; } = 96;

    [Key("hierarchical (fine) samples per ray, drawn from the coarse weights (0: no fine network)", Min = 0, Max = 4096)]
    public int FineSamples { get; init; } = 192;

    [Key("positional-encoding frequencies of the view direction, L_d", Min = 0, Max = 30)]
    public int DirectionFrequencies { get; init; } = 4;

    [Key("width of the colour branch's hidden layer", Min = 1, Max = Limits.Width)]
    public int ColourWidth { get; init; } = 128;

    [Key("NeRF's exponential decay: the learning rate is train.lr · 0.1^(iteration / this)", Min = 1)]
    public int LrDecaySteps { get; init; } = 250_000;

    [Key("procedural scene: cameras on the upper hemisphere", Min = 2, Max = 10_000)]
    public int Views { get; init; } = 100;

    [Key("procedural scene: every this-many-th camera (from the 2nd) is held out as a test view", Min = 2, Max = 10_000)]
    public int HoldOut { get; init; } = 5;

    [Key("keep every this-many-th test view (NeRF-synthetic has 200; rendering all of them takes long)", Min = 1, Max = 10_000)]
    public int TestEvery { get; init; } = 1;

    // How many rays are rendered at once and what is drawn after training change no result.
    // On a 2-core CPU 256 rays at once rendered lego's 64×64 test views 5× faster than 4096 (whose activations
    // outgrow the caches); a GPU wants thousands.
    [Key("rays rendered at once when evaluating (speed and memory, not results; a GPU wants 8192 or more)", Min = 1, Max = Limits.BatchSize, InHash = false)]
    public int Chunk { get; init; } = 256;

    [Key("frames of the turntable written after training (turntable/ and turntable.gif; 0: none)", Min = 0, Max = 1000, InHash = false)]
    public int Turntable { get; init; } = 24;

    // Evaluating while training reads the parameters and changes no result (its samples are fixed, its time is not
    // training time), so runs keep their ids.
    [Key("every this many iterations, render scene.eval_views held-out views and record their PSNR as test_psnr_db (metrics.csv, TensorBoard, psnr.png; 0: never)",
        Min = 0, InHash = false, QuietAtDefault = true)]
    public int EvalEvery { get; init; }

    [Key("held-out views rendered by scene.eval_every: at most this many, evenly spread over the test views, at the final evaluation's deterministic samples",
        Min = 1, Max = 10_000, InHash = false, QuietAtDefault = true, AppliesWhen = nameof(IsEvaluating))]
    public int EvalViews { get; init; } = 4;

    [Key("how the trunk encodes a position p in [0, 1]^3: symmetric (γ(2p − 1), sin(2^l π ·)), unit (γ(p)) or nerf (NeRF's code: world units x = (p − 0.5)/scale + centre, sin(2^l x) without π)",
        Names = ["symmetric=Symmetric", "unit=Unit", "nerf=Nerf"], QuietAtDefault = true)]
    public Core.Nerf.SceneEncoding Encoding { get; init; } = Core.Nerf.SceneEncoding.Symmetric;

    [Key("coarse weights the fine samples are drawn from: all (every weight, on the strata of [near, far]) or interior (NeRF's code: weights[1:-1] on the midpoints of the coarse samples)",
        Names = ["all=All", "interior=Interior"], QuietAtDefault = true)]
    public Core.Nerf.FineWeights FineWeights { get; init; } = Core.Nerf.FineWeights.All;

    [Key("NeRF-synthetic's box: fixed (centre 0, scale 1/3: [−1.5, 1.5]^3) or fitted (the training views' alpha masks carved into a 64^3 voxel grid over [−1.5, 1.5]^3; the box of what is left, one voxel of margin); procedural and NSVF scenes keep their own box",
        Names = ["fixed=Fixed", "fitted=Fitted"], QuietAtDefault = true)]
    public Core.Nerf.SceneBox Box { get; init; } = Core.Nerf.SceneBox.Fixed;

    public bool IsEvaluating => EvalEvery > 0;

    public void Check(ConfigContext c)
    {
        // model.encoding_range never acted on scenes; every scene run's config.yaml records its default (unit), so that
        // value must still read back (loe render, resume), and only another value is refused.
        if (c.IsWritten("model.encoding_range") && c.Model.EncodingRange != Core.EncodingRange.Unit)
            throw c.Error("model.encoding_range", "a scene's positions are encoded as scene.encoding says (symmetric: today's γ(2p − 1), unit or nerf); write that instead");
        if (FineWeights == Core.Nerf.FineWeights.Interior && CoarseSamples < 3)
            throw c.Error("scene.fine_weights", $"interior drops the first and last coarse weights: it needs scene.coarse_samples ≥ 3, got {CoarseSamples}");
        if (Box == Core.Nerf.SceneBox.Fitted && c.Data.Scene == DataConfig.ProceduralScene)
            throw c.Error("scene.box", "the procedural scene is made in its own box ([−0.5, 0.5]^3); fitted is for NeRF-synthetic folders");
        if (c.Train.BatchSize == 0) throw c.Error("train.batch_size", "a scene trains on rays drawn at random: give the rays per iteration (NeRF: 16384)");
        if (c.Train.LrDecayAt.Length > 0) throw c.Error("train.lr_decay_at", "a scene's learning rate decays exponentially (scene.lr_decay_steps), not in steps");
        var m = c.Model;
        if (m.Widths.Distinct().Count() != 1) throw c.Error("model.widths", "a radiance field's trunk has equal widths (the paper: five of 256)");
        if (m.Layout is not ("pe-mlp" or ModelConfig.ScalesLayout))
            throw c.Error("model.layout", $"a radiance field takes layout pe-mlp (with tile [1, 1, 1]) or scales (A_i = s_i I on every trunk layer), got {m.Layout}");
        if (m.Input != Core.InputMapping.Positional) throw c.Error("model.input", "a radiance field's trunk reads the positional encoding (pe)");
        if (m.Activation != Core.Activation.LeakyRelu) throw c.Error("model.activation", "a radiance field uses LeakyReLU (the paper)");
        if (m.HasEmbedding) throw c.Error("model.embedding_channels", "a radiance field has no coordinate embedding");
        if (m.Tiles is not null) throw c.Error("model.tiles", "a radiance field's experts share one tile (model.tile)");
    }
}
