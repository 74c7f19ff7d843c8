using LoE.Host.Config;
using LoE.Host.Data;
using LoE.Core;

namespace LoE.Host.Running;

/// <summary>Builds the core inputs of every run before the first one starts, so bad input stops nothing half-way.</summary>
public static class Preparation
{
    public static IReadOnlyList<PreparedRun> Prepare(IReadOnlyList<RunPlan> runs)
    {
        var images = new Dictionary<string, Image>();
        return runs.Select(run =>
        {
            var path = SpecBuilder.ImagePath(run.Config);
            var size = SpecBuilder.ImageSize(run.Config);
            var cacheKey = size is null ? path : $"{path}@{size[0]}x{size[1]}";
            if (!images.TryGetValue(cacheKey, out var image))
            {
                try
                {
                    image = ImageFile.Load(path, size);
                }
                catch (Exception e) when (e is InvalidDataException or InvalidOperationException or IOException)
                {
                    throw new ConfigException(run.Config.Find("data.image").Origin, "data.image", e.Message, e);
                }
                images[cacheKey] = image;
            }
            return new PreparedRun(run, SpecBuilder.Model(run.Config), SpecBuilder.Train(run.Config), image);
        }).ToList();
    }
}
