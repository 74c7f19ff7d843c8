using LoE.Host.Tasks;

namespace LoE.Host.Running;

/// <summary>
/// Runs on this machine, <see cref="Jobs"/> at a time. The CPU threads are split between concurrent runs
/// (oversubscribing cores slows every run down); devices are handed out round-robin over the worker slots, so
/// two runs never share a GPU when there are as many jobs as devices. <see cref="ThreadsPerRun"/> (an experiment's
/// <c>threads</c>) overrides the split: results on a CPU depend on the thread count, which an experiment may pin.
/// </summary>
public sealed record LocalExecutor(string BackendName, IReadOnlyList<string> Devices, int Jobs, int Threads, int? ThreadsPerRun = null)
{
    /// <summary>The backend of worker slot <paramref name="worker"/>.</summary>
    public BackendSpec BackendFor(int worker) =>
        new(BackendName, Devices[worker % Devices.Count], false, ThreadsPerRun ?? Math.Max(1, Threads / Jobs));

    /// <summary>Runs every (run, index) pair; stops handing out runs once <paramref name="cancel"/> fires. Outcomes keep the input order.</summary>
    public async Task<IReadOnlyList<RunOutcome>> RunAsync(
        IReadOnlyList<(PreparedRun Run, int Index)> runs, RunExecutor executor, CancellationToken cancel)
    {
        var outcomes = new RunOutcome?[runs.Count];
        var next = -1;
        async Task Worker(int slot)
        {
            var backend = BackendFor(slot);
            while (!cancel.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= runs.Count) return;
                outcomes[i] = await executor.ExecuteAsync(runs[i].Run, runs[i].Index, backend, cancel);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, Math.Min(Jobs, runs.Count))).Select(Worker));
        return outcomes.OfType<RunOutcome>().ToList();
    }
}
