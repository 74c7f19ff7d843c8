namespace LoE.Host.Config;

/// <summary>One run of an experiment: one combination of swept values and one seed, fully resolved and checked.</summary>
public sealed record RunPlan(string Experiment, string Id, IReadOnlyList<SweptValue> Swept, int Seed, ResolvedConfig Config)
{
    /// <summary>The paper's PSNR for this run's swept value, when the experiment declares one.</summary>
    public double? PaperPsnrDb(Experiment experiment) =>
        Swept.Count == 1 && (experiment.PaperPsnrDb.TryGetValue(Swept[0].Text, out var p)
                             || experiment.PaperPsnrDb.TryGetValue(Swept[0].Written, out p))
            ? p
            : null;
}
