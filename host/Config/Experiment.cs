namespace LoE.Host.Config;

/// <summary>
/// A declared experiment: a base configuration (flat dotted keys, merges applied), the swept keys, the seeds,
/// and optionally the paper's PSNR per swept value.
/// </summary>
public sealed record Experiment(
    string Name,
    string? Description,
    Origin Origin,
    IReadOnlyDictionary<string, ConfigValue> Base,
    IReadOnlyList<SweepAxis> Sweep,
    IReadOnlyList<int> Seeds,
    IReadOnlyDictionary<string, double> PaperPsnrDb)
{
    /// <summary>Reserved experiment-level keys; everything else is configuration.</summary>
    public static readonly IReadOnlySet<string> ReservedKeys = new HashSet<string> { "sweep", "seeds", "paper", "description", ExperimentFile.ExtendsKey };
}
