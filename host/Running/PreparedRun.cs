using LoE.Core;
using LoE.Core.Gan;
using LoE.Core.Nerf;
using LoE.Host.Config;

namespace LoE.Host.Running;

/// <summary>
/// A run with its core inputs built: everything that can fail on bad input has been tried. A signal run has
/// <paramref name="Model"/>, <paramref name="Train"/> and the signal to fit, <paramref name="Data"/> (an image or a
/// video); a scene run has <paramref name="Scene"/> instead, a GAN run <paramref name="Gan"/>.
/// </summary>
public sealed record PreparedRun(RunPlan Plan, ModelSpec? Model, TrainSpec? Train, Signal? Data, SceneRun? Scene, GanRun? Gan = null)
{
    public int Iterations => Plan.Config.Train.Iterations;

    /// <summary>What config.yaml's run block records of the data: its size and channels (a scene's: its views').</summary>
    public (int[] Size, int Channels) Shape =>
        Scene is { } s ? ([s.Scene.Test[0].Image.Width, s.Scene.Test[0].Image.Height], 3)
        : Gan is { } g ? ([g.Images[0].Width, g.Images[0].Height], g.Images[0].Channels)
        : (Data!.Size, Data.Channels);
}

/// <summary>A GAN to train on images (section E), and how its samples are drawn and scored (the gan section).</summary>
public sealed record GanRun(GeneratorSpec Generator, DiscriminatorSpec Discriminator, GanTrain Train, Image[] Images, GanConfig Settings);

/// <summary>A radiance field to train on a scene (section D), and how many turntable frames to draw after.</summary>
public sealed record SceneRun(NerfModel Model, NerfTrain Train, Scene Scene, int Turntable);
