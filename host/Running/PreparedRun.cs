using LoE.Core;
using LoE.Core.Nerf;
using LoE.Host.Config;

namespace LoE.Host.Running;

/// <summary>
/// A run with its core inputs built: everything that can fail on bad input has been tried. A signal run has
/// <paramref name="Model"/>, <paramref name="Train"/> and the signal to fit, <paramref name="Data"/> (an image or a
/// video); a scene run has <paramref name="Scene"/> instead.
/// </summary>
public sealed record PreparedRun(RunPlan Plan, ModelSpec? Model, TrainSpec? Train, Signal? Data, SceneRun? Scene)
{
    public int Iterations => Plan.Config.Train.Iterations;

    /// <summary>What config.yaml's run block records of the data: its size and channels (a scene's: its views').</summary>
    public (int[] Size, int Channels) Shape =>
        Scene is { } s ? ([s.Scene.Test[0].Image.Width, s.Scene.Test[0].Image.Height], 3) : (Data!.Size, Data.Channels);
}

/// <summary>A radiance field to train on a scene (section D), and how many turntable frames to draw after.</summary>
public sealed record SceneRun(NerfModel Model, NerfTrain Train, Scene Scene, int Turntable);
