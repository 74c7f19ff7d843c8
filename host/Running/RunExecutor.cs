using LoE.Host.Tasks;

namespace LoE.Host.Running;

/// <summary>
/// Trains one run into its folder: skips it when final.json already holds its result, continues it from
/// checkpoint.bin when there is one, writes a checkpoint every <c>train.checkpoint_every</c> iterations, and
/// records a diverged or crashed run in failed.json instead of stopping the sweep.
/// </summary>
public sealed record RunExecutor(Experiment Experiment, string OutDir, IRunMonitor Monitor)
{
    public async Task<RunOutcome> ExecuteAsync(PreparedRun run, int index, BackendSpec backend, CancellationToken cancel)
    {
        var plan = run.Plan;
        var folder = RunFolder.For(OutDir, plan);
        var hash = plan.Config.Hash;
        var state = folder.State(hash);
        if (state == RunState.Done)
        {
            var skipped = new RunOutcome(plan, RunStatus.Skipped, null);
            Monitor.Finished(skipped);
            return skipped;
        }

        await folder.WriteConfigAsync(RunHeader.For(plan, index, Experiment, run.Shape), plan.Config, backend);
        var resume = state == RunState.Partial ? TryReadCheckpoint(folder, hash) : null;
        folder.ClearFailed();
        Monitor.Started(plan, run.Iterations, resume?.Iteration ?? 0, $"{backend.Name}/{backend.Device}");

        var history = new List<Progress>(resume?.History ?? []);
        var tensorBoard = new TensorBoardLog(folder.TensorBoardPath, Monitor.Message);
        void OnProgress(Progress p)
        {
            lock (history) history.Add(p);
            tensorBoard.Add(p);
            Monitor.Progress(plan, p);
        }
        void OnCheckpoint(Checkpoint c)
        {
            // Called on the training thread; training waits for the file, so a kill right after loses nothing more.
            CheckpointFile.WriteAsync(folder.CheckpointPath, c, hash).GetAwaiter().GetResult();
            folder.WriteMetricsAsync(c.History).GetAwaiter().GetResult();
        }
        var hooks = new FitHooks(OnProgress, plan.Config.Train.CheckpointEvery, OnCheckpoint, resume!, cancel);

        RunOutcome outcome;
        try
        {
            var result = await run.TrainAsync(new RunContext(folder, backend, hooks, Monitor.Message));
            await folder.WriteMetricsAsync(result.Numbers.History);
            await folder.WriteFinalAsync(plan, result.Numbers, result.Final);
            outcome = new RunOutcome(plan, RunStatus.Done, result.Numbers);
        }
        catch (OperationCanceledException)
        {
            await folder.WriteMetricsAsync(Snapshot(history));
            outcome = new RunOutcome(plan, RunStatus.Cancelled, null, "cancelled");
        }
        catch (DivergedException e)
        {
            outcome = await FailAsync(folder, plan, history, e.Message, e.iteration);
        }
        catch (Exception e) when (e is not ConfigException)
        {
            if (Environment.GetEnvironmentVariable("LOE_DEBUG") is { Length: > 0 }) Monitor.Message(e.ToString());
            outcome = await FailAsync(folder, plan, history, $"{e.GetType().Name}: {e.Message}", null);
        }
        Monitor.Finished(outcome);
        return outcome;
    }

    private static async Task<RunOutcome> FailAsync(RunFolder folder, RunPlan plan, List<Progress> history, string message, int? iteration)
    {
        await folder.WriteMetricsAsync(Snapshot(history));
        await folder.WriteFailedAsync(plan, message, iteration);
        return new RunOutcome(plan, RunStatus.Failed, null, message);
    }

    private Checkpoint? TryReadCheckpoint(RunFolder folder, string hash)
    {
        try
        {
            return CheckpointFile.Read(folder.CheckpointPath, hash);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or EndOfStreamException)
        {
            Monitor.Message($"{folder.Path}: cannot continue from the checkpoint ({e.Message}); starting afresh");
            return null;
        }
    }

    private static List<Progress> Snapshot(List<Progress> history)
    {
        lock (history) return [.. history];
    }
}
