using LoE.Host.Config;
using LoE.Host.Data;
using LoE.Core;

namespace LoE.Host.Running;

/// <summary>Builds the core inputs of every run before the first one starts, so bad input stops nothing half-way.</summary>
public static class Preparation
{
    public static IReadOnlyList<PreparedRun> Prepare(IReadOnlyList<RunPlan> runs)
    {
        var signals = new Dictionary<string, Signal>();
        return runs.Select(run =>
        {
            var data = run.Config.Data;
            var video = data.IsVideo;
            var key = video ? "data.video" : "data.image";
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
            return new PreparedRun(run, SpecBuilder.Model(run.Config, signal.Size), SpecBuilder.Train(run.Config), Fit.frameOf(signal, 0), signal);
        }).ToList();
    }
}
