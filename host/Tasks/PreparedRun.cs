using System.Text.Json;

namespace LoE.Host.Tasks;

/// <summary>A run with its data loaded and its core specifications built: everything that can fail on bad input
/// has been tried. Its task's subclass trains it and writes what that kind of run shows.</summary>
public abstract record PreparedRun(RunPlan Plan)
{
    public int Iterations => Plan.Config.Train.Iterations;

    /// <summary>What config.yaml's run block records of the data: its size and channels.</summary>
    public abstract (int[] Size, int Channels) Shape { get; }

    /// <summary>Trains through the one loop with <paramref name="run"/>'s hooks and writes the run's pictures;
    /// metrics.csv and final.json are the executor's. The core is synchronous: it runs off the caller's thread
    /// (Task.Run), so that Ctrl-C and the display stay responsive.</summary>
    public abstract Task<RunResult> TrainAsync(RunContext run);
}

/// <summary>Where and how a prepared run trains: its folder, backend, the loop's hooks and a line for the user.</summary>
public sealed record RunContext(RunFolder Folder, BackendSpec Backend, FitHooks Hooks, Action<string> Message);

/// <summary>A trained run: the numbers every run has, and what its task adds to final.json.</summary>
public sealed record RunResult(RunNumbers Numbers, Action<Utf8JsonWriter>? Final = null);

/// <summary>What final.json, the summaries and the progress lines record of every run: PSNR and SSIM on what the
/// task measures (NaN where it measures neither, as a GAN), the final loss, time, sizes and the logged history.</summary>
public sealed record RunNumbers(
    double PsnrDb, double Ssim, double FinalLoss, int Iterations, double TrainSeconds, IReadOnlyList<Progress> History,
    long Parameters, long ParameterBytes, long MultiplyAdds)
{
    public static RunNumbers Of(FitResult r) =>
        new(r.PsnrDb, r.Ssim, r.FinalLoss, r.Iterations, r.TrainSeconds, r.History, r.ParameterCount, r.ParameterBytes, r.MultiplyAdds);
}

/// <summary>An experiment's runs as read back from its folder, grouped into the rows of its table.</summary>
public sealed record SummaryInput(string Folder, string Name, IReadOnlyList<RunRecord> Runs, IReadOnlyList<string> Keys, IReadOnlyList<Combination> Combinations);

/// <summary>`loe render`'s arguments with the run's configuration and header read back from config.yaml.</summary>
public sealed record RenderRequest(Cli.RenderOptions Options, ResolvedConfig Config, RunHeader Run, string ConfigPath, TextWriter Output)
{
    public ConfigException Older(string key) => new(Origin.CommandLine(ConfigPath), $"run.{key}", $"config.yaml has no run.{key} (written by an older loe?)");
}
