namespace LoE.Host.Config;

/// <summary>
/// A declared experiment: a base configuration (flat dotted keys, merges applied), the swept keys, the seeds,
/// and optionally the paper's PSNR (and SSIM, or a GAN's FID) per swept value.
/// </summary>
public sealed record Experiment(
    string Name,
    string? Description,
    Origin Origin,
    IReadOnlyDictionary<string, ConfigValue> Base,
    IReadOnlyList<SweepAxis> Sweep,
    IReadOnlyList<int> Seeds,
    IReadOnlyDictionary<string, double> PaperPsnrDb,
    IReadOnlyDictionary<string, double> PaperSsim,
    IReadOnlyDictionary<string, double> PaperFid,
    int? Threads = null)
{
    /// <summary>Experiment-level keys and their help; everything else in an experiment is configuration.</summary>
    public static readonly IReadOnlyList<(string Key, string Help)> Keys =
    [
        ("description", "one line shown by `loe list` and in summaries"),
        (ExperimentFile.ExtendsKey, "start from another experiment of the file: its configuration, sweep, seeds, description and paper numbers; keys written here win, configuration keys one by one, sweep and seeds whole"),
        ("sweep", "dotted key -> list of values; every combination is one run (a `row:` sweep lists a table's rows, below)"),
        ("seeds", "list of seeds, one run each (default [0])"),
        (ThreadsKey, "CPU threads per run (default: all processors, shared among --jobs). A CPU's sums depend on it, so an experiment that sets it gives the same numbers on every machine with the same kind of CPU; `loe run` then runs processors / threads runs at once"),
        ("paper", "the paper's PSNR (dB) per swept value, or {psnr_db: .., ssim: ..} (a GAN: {fid: ..}), shown next to ours in summaries"),
    ];

    public const string ThreadsKey = "threads";

    /// <summary>Reserved experiment-level keys; everything else is configuration.</summary>
    public static readonly IReadOnlySet<string> ReservedKeys = Keys.Select(k => k.Key).ToHashSet();
}
