using LoE.Host.Running;
using LoE.Host.Running.Slurm;
using LoE.Host.Tasks;

namespace LoE.Host.Cli;

/// <summary><c>loe run FILE --experiment NAME</c>: check everything, then run here (or hand the runs to Slurm), then summarise.</summary>
public static class RunCommand
{
    public const int Cancelled = 130;

    public static async Task<int> ExecuteAsync(RunOptions options, TextWriter output, TextWriter error, CancellationToken cancel)
    {
        var threads = options.Threads ?? Environment.ProcessorCount;
        if (threads < 1) throw new ConfigException(Origin.CommandLine("--threads"), null, $"must be at least 1, got {threads}");
        var devices = (options.Devices ?? options.Device).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (devices.Length == 0) throw new ConfigException(Origin.CommandLine("--devices"), null, "expected a comma-separated list such as cuda:0,cuda:1");
        if (options.Executor is not ("local" or "slurm"))
            throw new ConfigException(Origin.CommandLine("--executor"), null, $"unknown executor '{options.Executor}'{Suggest.Hint(options.Executor, ["local", "slurm"])}; expected local or slurm");
        // Slurm runs on other nodes, whose GPUs this machine cannot see: checked there, when each run starts.
        if (options.Executor == "local") TorchDevices.Require(options.Backend, devices, options.Devices is null ? "--device" : "--devices");
        if (options.SlurmCpus < 1) throw new ConfigException(Origin.CommandLine("--slurm-cpus"), null, $"must be at least 1, got {options.SlurmCpus}");

        var file = ExperimentFile.Load(options.File);
        var experiment = file.Find(options.Experiment);
        // An experiment that pins its threads per run fills the machine with runs, not one run with threads.
        var jobs = options.Jobs ?? (options.Devices is not null ? devices.Length : experiment.Threads is { } pinned ? Math.Max(1, threads / pinned) : 1);
        if (jobs < 1) throw new ConfigException(Origin.CommandLine("--jobs"), null, $"must be at least 1, got {jobs}");
        var overrides = Override.Parse(options.Set);
        var all = Sweep.Expand(file, experiment, overrides);
        var indexed = all.Select((run, index) => (Run: run, Index: index)).ToList();
        if (options.RunId is { } wanted)
        {
            indexed = indexed.Where(r => r.Run.Id == wanted).ToList();
            if (indexed.Count == 0)
            {
                // An id whose values match but whose hash does not: the configuration changed since the id was listed.
                static string WithoutHash(string id) => id.Contains('-') ? id[..id.LastIndexOf('-')] : id;
                var sameValues = all.FirstOrDefault(r => WithoutHash(r.Id) == WithoutHash(wanted));
                var hint = sameValues is not null
                    ? $" (its configuration changed since? the run with the same values is now '{sameValues.Id}')"
                    : Suggest.Hint(wanted, all.Select(r => r.Id));
                throw new ConfigException(Origin.CommandLine("--run-id"), null,
                    $"experiment '{experiment.Name}' has no run '{wanted}'{hint}; `loe list {options.File} -e {experiment.Name}` shows its runs");
            }
        }
        // Every image is loaded and every model built before the first run starts: bad input stops nothing half-way.
        var prepared = TaskTable.Prepare(indexed.Select(r => r.Run).ToList());
        var experimentFolder = Path.Combine(options.Out, experiment.Name);

        if (options.Executor == "slurm")
        {
            string[] runArgs =
            [
                Shell.Quote(Path.GetFullPath(options.File)), "--experiment", Shell.Quote(experiment.Name),
                "--out", Shell.Quote(Path.GetFullPath(options.Out)), "--backend", Shell.Quote(options.Backend),
                "--device", Shell.Quote(options.Device), .. options.Set.SelectMany(s => new[] { "--set", Shell.Quote(s) }),
            ];
            await SlurmExecutor.SubmitAsync(experiment.Name, experimentFolder, indexed.Select(r => r.Run.Id).ToList(), runArgs,
                new SlurmOptions(options.SlurmPartition, options.SlurmTime, options.SlurmCpus ?? experiment.Threads ?? 2), options.DryRun, output);
            return 0;
        }

        var states = indexed.Select(r => RunFolder.For(options.Out, r.Run).State(r.Run.Config.Hash)).ToList();
        var executor = new LocalExecutor(options.Backend, devices, jobs, threads, experiment.Threads);
        output.WriteLine($"{experiment.Name}: {indexed.Count} run{(indexed.Count == 1 ? "" : "s")} on {options.Backend}/{string.Join(",", devices)}, " +
                         $"{jobs} at a time with {executor.BackendFor(0).Threads} thread{(executor.BackendFor(0).Threads == 1 ? "" : "s")} each, writing to {experimentFolder}" +
                         Counted(states, RunState.Done, "already done (skipped)") + Counted(states, RunState.Partial, "continuing from a checkpoint"));

        var monitor = Terminal.IsInteractive(output)
            ? (IRunMonitor)new LiveMonitor(Spectre.Console.AnsiConsole.Console, indexed.Count)
            : new PlainMonitor(output, error);
        var runner = new RunExecutor(experiment, options.Out, monitor);
        var jobsToRun = indexed.Select((r, i) => (prepared[i], r.Index)).ToList();
        var outcomes = await monitor.ShowAsync(() => executor.RunAsync(jobsToRun, runner, cancel));

        if (await Summary.WriteAsync(experimentFolder) is { } table)
        {
            output.WriteLine();
            output.Write(table);
        }
        var failed = outcomes.Count(o => o.Status == RunStatus.Failed);
        if (cancel.IsCancellationRequested || outcomes.Any(o => o.Status == RunStatus.Cancelled))
        {
            error.WriteLine($"cancelled: {outcomes.Count(o => o.Status is RunStatus.Done or RunStatus.Skipped)} of {indexed.Count} runs finished; " +
                            "run the same command again to continue from the last checkpoints");
            return Cancelled;
        }
        if (failed > 0)
        {
            error.WriteLine($"{failed} of {indexed.Count} runs failed (see failed.json in their folders)");
            return 1;
        }
        return 0;
    }

    private static string Counted(IReadOnlyList<RunState> states, RunState state, string what)
    {
        var n = states.Count(s => s == state);
        return n == 0 ? "" : $"; {n} {what}";
    }
}
