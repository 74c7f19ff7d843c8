using LoE.Host.Tasks;
using YamlDotNet.RepresentationModel;

namespace LoE.Host.Cli;

/// <summary>
/// <c>loe render RUN_DIR</c>: the run's task draws it anew from config.yaml and the trained parameters of
/// checkpoint.bin (a signal at any resolution, a scene from any camera).
/// </summary>
public static class RenderCommand
{
    public static async Task<int> ExecuteAsync(RenderOptions o, TextWriter output)
    {
        var (config, run, configPath) = ReadConfig(o.RunDir);
        return await TaskTable.For(config.Data).RenderAsync(new RenderRequest(o, config, run, configPath, output));
    }

    /// <summary>The backend --backend and --device name, on every processor.</summary>
    internal static BackendSpec Backend(RunFolderOptions o)
    {
        TorchDevices.Require(o.Backend, [o.Device], "--device");
        return new BackendSpec(o.Backend, o.Device, false, Environment.ProcessorCount);
    }

    internal static Checkpoint ReadCheckpoint(string runDir, RunHeader run, ResolvedConfig config, TextWriter output)
    {
        var checkpointPath = Path.Combine(runDir, CheckpointFile.FileName);
        if (!File.Exists(checkpointPath))
            throw new ConfigException(Origin.CommandLine(runDir), null,
                $"no {CheckpointFile.FileName}: the run wrote none (train.checkpoint_every: 0) or has not started");
        Checkpoint checkpoint;
        try
        {
            checkpoint = CheckpointFile.Read(checkpointPath, run.Hash);
        }
        catch (InvalidDataException e)
        {
            throw new ConfigException(Origin.CommandLine(checkpointPath), null, e.Message, e);
        }
        var iterations = config.Train.Iterations;
        if (checkpoint.Iteration < iterations)
            output.WriteLine($"note: the checkpoint is from iteration {checkpoint.Iteration} of {iterations} (the run is not finished)");
        return checkpoint;
    }

    /// <summary>The recorded size with --size or --scale applied to width and height.</summary>
    internal static int[] PlaneSize(RenderOptions o, int[] recorded)
    {
        var size = (int[])recorded.Clone();
        if (o.Size.ToArray() is [var w, var h]) (size[0], size[1]) = (w, h);
        else if (o.Scale is { } s)
        {
            if (!(s > 0)) throw new ConfigException(Origin.CommandLine("--scale"), null, $"must be positive, got {s}");
            (size[0], size[1]) = ((int)Math.Round(size[0] * s), (int)Math.Round(size[1] * s));
        }
        return size;
    }

    /// <summary>config.yaml's configuration resolved again (its run block gives the seed and the folder paths are relative to).</summary>
    /// <summary>The configuration a run folder's config.yaml records, its run block, and the file's path.</summary>
    internal static (ResolvedConfig Config, RunHeader Run, string Path) ReadConfig(string runDir)
    {
        var path = Path.Combine(runDir, RunFolder.ConfigFile);
        if (!File.Exists(path))
            throw new ConfigException(Origin.CommandLine(runDir), null, $"no {RunFolder.ConfigFile} here: not a run folder");
        if (RunHeader.Read(path) is not var (run, written))
            throw new ConfigException(Origin.CommandLine(path), null, "not a run's config.yaml (no run: block)");
        var raw = new OrderedDictionary<string, ConfigValue>(written);
        raw.Remove(Schema.SeedKey);
        // The data is not needed to render; only its recorded size is. Missing data must not stop a render.
        raw.TryAdd("data.obtain", new ConfigValue(new YamlScalarNode("not needed to render"), Origin.CommandLine(path)));
        var baseDirectory = run.BaseDirectory ?? Path.GetDirectoryName(Path.GetFullPath(path))!;
        return (Schema.Resolve(raw, run.Seed, baseDirectory, Origin.CommandLine(path)), run, path);
    }
}
