using LoE.Core;
using LoE.Host.Config;
using LoE.Host.Output;

namespace LoE.Host.Running;

/// <summary>Runs the prepared runs of one experiment one after another and writes their folders and the summary.</summary>
public sealed record ExperimentRunner(BackendSpec Backend, string OutDir, TextWriter Out, TextWriter Error)
{
    public async Task<IReadOnlyList<RunOutcome>> RunAsync(Experiment experiment, IReadOnlyList<PreparedRun> runs, CancellationToken cancel)
    {
        var outcomes = new List<RunOutcome>();
        for (var i = 0; i < runs.Count && !cancel.IsCancellationRequested; i++)
        {
            var run = runs[i];
            var swept = string.Join(", ", run.Plan.Swept.Select(s => $"{s.Key}={s.Text}").Append($"seed={run.Plan.Seed}"));
            Out.WriteLine($"[{i + 1}/{runs.Count}] {experiment.Name}/{run.Plan.Id}  ({swept})");
            var outcome = await RunOneAsync(run, cancel);
            outcomes.Add(outcome);
            if (outcome.Status == RunStatus.Done)
                Out.WriteLine($"  done: {outcome.Result!.PsnrDb.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)} dB in {ProgressPrinter.Duration(TimeSpan.FromSeconds(outcome.Result.TrainSeconds))}");
        }
        if (outcomes.Any(o => o.Status == RunStatus.Done))
            await Summary.WriteAsync(OutDir, experiment, outcomes);
        return outcomes;
    }

    private async Task<RunOutcome> RunOneAsync(PreparedRun run, CancellationToken cancel)
    {
        var folder = RunFolder.For(OutDir, run.Plan);
        await folder.WriteConfigAsync(run.Plan, Backend);
        var history = new List<Progress>();
        var printer = new ProgressPrinter(run.Plan.Id, run.Train.Iterations, Out);
        void OnProgress(Progress p)
        {
            lock (history) history.Add(p);
            printer.Print(p);
        }

        try
        {
            // The core is synchronous; run it off the caller's thread so that Ctrl-C stays responsive.
            var result = await Task.Run(() => Fit.run(Backend, run.Model, run.Train, run.Target, OnProgress, cancel), CancellationToken.None);
            await folder.WriteMetricsAsync(result.History.Length > 0 ? result.History : Snapshot(history));
            await folder.WriteReconstructionAsync(result.Reconstruction);
            await folder.WriteFinalAsync(run.Plan, result);
            return new RunOutcome(run.Plan, RunStatus.Done, result);
        }
        catch (OperationCanceledException)
        {
            await folder.WriteMetricsAsync(Snapshot(history));
            Error.WriteLine($"  cancelled: {run.Plan.Id} (metrics so far in {folder.Path})");
            return new RunOutcome(run.Plan, RunStatus.Cancelled, null, "cancelled");
        }
        catch (Exception e) when (e is not ConfigException)
        {
            await folder.WriteMetricsAsync(Snapshot(history));
            Error.WriteLine($"  failed: {run.Plan.Id}: {e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("LOE_DEBUG") is { Length: > 0 }) Error.WriteLine(e);
            return new RunOutcome(run.Plan, RunStatus.Failed, null, e.Message);
        }
    }

    private static List<Progress> Snapshot(List<Progress> history)
    {
        lock (history) return [.. history];
    }
}
