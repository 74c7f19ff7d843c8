using LoE.Host.Config;
using LoE.Host.Data;
using LoE.Core;
using LoE.Core.Nerf;

namespace LoE.Host.Running;

/// <summary>Builds the core inputs of every run before the first one starts, so bad input stops nothing half-way.</summary>
public static class Preparation
{
    public static IReadOnlyList<PreparedRun> Prepare(IReadOnlyList<RunPlan> runs)
    {
        var signals = new Dictionary<string, Signal>();
        var scenes = new Dictionary<string, Scene>();
        var imageSets = new Dictionary<string, Image[]>();
        return runs.Select(run =>
            run.Config.Data.IsScene ? PrepareScene(run, scenes)
            : run.Config.Data.IsGan ? PrepareGan(run, imageSets)
            : PrepareSignal(run, signals)).ToList();
    }

    private static PreparedRun PrepareGan(RunPlan run, Dictionary<string, Image[]> imageSets)
    {
        const string key = "data.images";
        var c = run.Config;
        // The rows of a table train on the same images: load them once.
        var cacheKey = string.Join("|", c.Values.Where(v => v.Key.StartsWith("data.")).Select(v => $"{v.Key}={v.Text}"));
        if (!imageSets.TryGetValue(cacheKey, out var images))
        {
            try
            {
                images = GanImages.Load(c.Data, c.BaseDirectory);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException && c.Data.Obtain is { } how)
            {
                throw new ConfigException(c.Find(key).Origin, key, $"{e.Message}. {how}", e);
            }
            catch (Exception e) when (e is InvalidDataException or InvalidOperationException or IOException)
            {
                throw new ConfigException(c.Find(key).Origin, key, e.Message, e);
            }
            imageSets[cacheKey] = images;
        }
        var channels = images[0].Channels;
        return new PreparedRun(run, null, null, null, null,
            new GanRun(SpecBuilder.Generator(c, channels), SpecBuilder.Discriminator(c, channels), SpecBuilder.GanTraining(c), images, c.Gan));
    }

    private static PreparedRun PrepareSignal(RunPlan run, Dictionary<string, Signal> signals)
    {
        var data = run.Config.Data;
        var video = data.IsVideo;
        var key = data.SourceKey;
        var (size, frames) = (data.Size, data.Frames);
        var source = video ? data.Video! : data.ImagePath(run.Config.BaseDirectory);
        var cacheKey = $"{key}:{source}@{(size is null ? "" : $"{size[0]}x{size[1]}")}/{frames}";
        if (!signals.TryGetValue(cacheKey, out var signal))
        {
            try
            {
                if (!video && !File.Exists(source) && data.Obtain is { } how)
                    throw new FileNotFoundException($"image file not found: {source}. {how}");
                signal = video
                    ? VideoFile.Load(source, run.Config.BaseDirectory, size, frames)
                    : Fit.ofImage(ImageFile.Load(source, size));
            }
            catch (FileNotFoundException e) when (video && data.Obtain is { } how)
            {
                throw new ConfigException(run.Config.Find(key).Origin, key, $"{e.Message}. {how}", e);
            }
            catch (Exception e) when (e is InvalidDataException or InvalidOperationException or IOException)
            {
                throw new ConfigException(run.Config.Find(key).Origin, key, e.Message, e);
            }
            signals[cacheKey] = signal;
        }
        return new PreparedRun(run, SpecBuilder.Model(run.Config, signal.Size), SpecBuilder.Train(run.Config), signal, null);
    }

    private static PreparedRun PrepareScene(RunPlan run, Dictionary<string, Scene> scenes)
    {
        const string key = "data.scene";
        var c = run.Config;
        // Everything the scene's views depend on; runs of one sweep share them.
        var cacheKey = string.Join("|", c.Values.Where(v => v.Key.StartsWith("data.") || v.Key is "scene.views" or "scene.hold_out" or "scene.test_every" or "scene.box")
            .Select(v => $"{v.Key}={v.Text}"));
        if (!scenes.TryGetValue(cacheKey, out var scene))
        {
            try
            {
                scene = SceneFile.Load(c);
            }
            catch (FileNotFoundException e) when (c.Data.Obtain is { } how)
            {
                throw new ConfigException(c.Find(key).Origin, key, $"{e.Message}. {how}", e);
            }
            catch (Exception e) when (e is SceneDataException or InvalidDataException or InvalidOperationException or IOException)
            {
                throw new ConfigException(c.Find(key).Origin, key, e.Message, e);
            }
            if (scene.Train.Length == 0 || scene.Test.Length == 0)
                throw new ConfigException(c.Find(key).Origin, key, $"the scene has {scene.Train.Length} training and {scene.Test.Length} test views; it needs both");
            scenes[cacheKey] = scene;
        }
        return new PreparedRun(run, null, null, null, new SceneRun(SpecBuilder.Nerf(c, scene), SpecBuilder.NerfTraining(c), scene, c.Scene.Turntable));
    }
}
