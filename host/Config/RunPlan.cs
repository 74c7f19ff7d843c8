namespace LoE.Host.Config;

/// <summary>One run of an experiment: one combination of swept values and one seed, fully resolved and checked.</summary>
public sealed record RunPlan(string Experiment, string Id, IReadOnlyList<SweptValue> Swept, int Seed, ResolvedConfig Config)
{
    /// <summary>The paper's PSNR for this run's swept value, when the experiment declares one.</summary>
    public double? PaperPsnrDb(Experiment experiment) => Paper(experiment.PaperPsnrDb);

    /// <summary>The paper's SSIM for this run's swept value, when the experiment declares one.</summary>
    public double? PaperSsim(Experiment experiment) => Paper(experiment.PaperSsim);

    /// <summary>The paper's FID for this run's swept value (a GAN), when the experiment declares one.</summary>
    public double? PaperFid(Experiment experiment) => Paper(experiment.PaperFid);

    private double? Paper(IReadOnlyDictionary<string, double> numbers) =>
        Swept.Count == 1 && (numbers.TryGetValue(Swept[0].Text, out var p) || numbers.TryGetValue(Swept[0].Written, out p)) ? p : null;
}
