using LoE.Core;
using LoE.Host.Config;

namespace LoE.Host.Running;

/// <summary>
/// A run with its core inputs built: everything that can fail on bad input has been tried. <paramref name="Data"/>
/// is the signal to fit (an image or a video); <paramref name="Target"/> its first frame as an image.
/// </summary>
public sealed record PreparedRun(RunPlan Plan, ModelSpec Model, TrainSpec Train, Image Target, Signal Data);
