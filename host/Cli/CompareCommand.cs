using System.Globalization;
using LoE.Host.Tasks;

namespace LoE.Host.Cli;

/// <summary>`loe compare`: the same steps on two independent implementations, for a user debugging a layer.</summary>
public static class CompareCommand
{
    public static int Execute(CompareOptions o, TextWriter output)
    {
        var file = ExperimentFile.Load(o.File);
        var experiment = file.Find(o.Experiment);
        // Pick the run by the id `loe list` shows, then shrink its image (which changes the id, not the order).
        var runs = Sweep.Expand(file, experiment, Override.Parse(o.Set));
        var index = o.RunId is null ? 0 : runs.ToList().FindIndex(r => r.Id == o.RunId);
        if (index < 0)
            throw new ConfigException(null, "--run-id", $"no run '{o.RunId}' in {o.Experiment} (runs: {string.Join(", ", runs.Select(r => r.Id))})");
        var run = Sweep.Expand(file, experiment, Override.Parse(o.Set.Append($"data.size={o.Size}")))[index];
        var prepared = TaskTable.Prepare([run])[0] as PreparedSignal
            ?? throw new ConfigException(null, "-e", "loe compare compares signal fits (data.image or data.video)");
        output.WriteLine($"{runs[index].Id}: {o.Steps} steps at {o.Size}×{o.Size} on torch-cpu-f64 and reference-f64");
        var report = Compare.backends(prepared.Model, prepared.Train, prepared.Data, o.Steps);
        string F(double x) => x.ToString("0.0e+00", CultureInfo.InvariantCulture);
        output.Write(new TextTable(["step", "loss (torch)", "loss (reference)", "relative difference"],
            report.Steps.Select(s => (IReadOnlyList<string>)[s.Step.ToString(CultureInfo.InvariantCulture),
                s.Torch.ToString("R", CultureInfo.InvariantCulture), s.Reference.ToString("R", CultureInfo.InvariantCulture), F(s.RelativeDifference)]).ToList()).ToMarkdown());
        output.WriteLine();
        output.Write(new TextTable(["parameter", "shape", "first gradient", $"after {o.Steps} steps"],
            report.Parameters.Select(p => (IReadOnlyList<string>)[p.Name, string.Join("×", p.Shape), F(p.FirstGradient), F(p.AfterSteps)]).ToList()).ToMarkdown());
        output.WriteLine("(largest |reference − torch| / largest |torch| per tensor; around 1e-12 and below is rounding)");
        return 0;
    }
}
