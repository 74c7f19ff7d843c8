using LoE.Core;
using LoE.Host.Config;
using LoE.Host.Output;
using LoE.Host.Running;

namespace LoE.Host.Cli;

/// <summary><c>loe run FILE --experiment NAME</c>: check everything, then run, then summarise.</summary>
public static class RunCommand
{
    public const int Cancelled = 130;

    public static async Task<int> ExecuteAsync(RunOptions options, TextWriter output, TextWriter error, CancellationToken cancel)
    {
        var threads = options.Threads ?? Environment.ProcessorCount;
        if (threads < 1) throw new ConfigException(Origin.CommandLine("--threads"), null, $"must be at least 1, got {threads}");
        var backend = new BackendSpec(options.Backend, options.Device, false, threads);

        var file = ExperimentFile.Load(options.File);
        var experiment = file.Find(options.Experiment);
        var runs = Sweep.Expand(file, experiment, Override.Parse(options.Set));
        var prepared = Preparation.Prepare(runs);

        output.WriteLine($"{experiment.Name}: {runs.Count} run{(runs.Count == 1 ? "" : "s")} on {backend.Name}/{backend.Device} " +
                         $"({threads} thread{(threads == 1 ? "" : "s")}), writing to {Path.Combine(options.Out, experiment.Name)}");
        var runner = new ExperimentRunner(backend, options.Out, output, error);
        var outcomes = await runner.RunAsync(experiment, prepared, cancel);

        var table = Summary.Table(experiment, outcomes, forCsv: false);
        if (table.Rows.Count > 0)
        {
            output.WriteLine();
            output.Write(table.ToMarkdown());
        }
        var failed = outcomes.Count(o => o.Status == RunStatus.Failed);
        var notRun = runs.Count - outcomes.Count;
        if (cancel.IsCancellationRequested || outcomes.Any(o => o.Status == RunStatus.Cancelled))
        {
            error.WriteLine($"cancelled: {outcomes.Count(o => o.Status == RunStatus.Done)} of {runs.Count} runs finished");
            return Cancelled;
        }
        if (failed > 0)
        {
            error.WriteLine($"{failed} of {runs.Count} runs failed");
            return 1;
        }
        return notRun > 0 ? 1 : 0;
    }
}
