using System.Globalization;

namespace LoE.Host.Running;

/// <summary>Log lines (for CI, files and pipes): one per progress report, one per started and finished run.</summary>
public sealed class PlainMonitor(TextWriter output, TextWriter error) : IRunMonitor
{
    private readonly Dictionary<string, ProgressPrinter> printers = [];
    private readonly Lock gate = new();

    public Task<T> ShowAsync<T>(Func<Task<T>> body) => body();

    public void Started(RunPlan run, int totalIterations, int resumedAt, string device)
    {
        var swept = string.Join(", ", run.Swept.Select(s => $"{s.Key}={s.Text}").Append($"seed={run.Seed}"));
        lock (gate)
        {
            printers[run.Id] = new ProgressPrinter(run.Id, totalIterations, output);
            output.WriteLine($"{run.Experiment}/{run.Id}  ({swept}) on {device}" +
                             (resumedAt > 0 ? $", resuming at iteration {resumedAt}" : ""));
        }
    }

    public void Progress(RunPlan run, Progress p)
    {
        lock (gate) printers[run.Id].Print(p);
    }

    public void Finished(RunOutcome outcome)
    {
        lock (gate)
        {
            if (outcome is { Status: RunStatus.Done, Result: { } r })
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  done: {outcome.Plan.Id}: {(double.IsNaN(r.PsnrDb) ? "trained" : $"{r.PsnrDb:0.00} dB")} in {ProgressPrinter.Duration(TimeSpan.FromSeconds(r.TrainSeconds))}"));
            else if (outcome.Status == RunStatus.Failed)
                error.WriteLine($"  failed: {outcome.Plan.Id}: {outcome.Error}");
            else if (outcome.Status == RunStatus.Cancelled)
                error.WriteLine($"  cancelled: {outcome.Plan.Id} (the last checkpoint and the metrics so far are kept)");
        }
    }

    public void Message(string text)
    {
        lock (gate) error.WriteLine(text);
    }
}
