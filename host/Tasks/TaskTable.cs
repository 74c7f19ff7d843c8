namespace LoE.Host.Tasks;

/// <summary>Every kind of run, looked up by the data key a configuration gives. Adding a task adds one line here.</summary>
public static class TaskTable
{
    public static IReadOnlyList<ITask> All { get; } =
    [
        new GanTask(),
        new SceneTask(),
        new AudioTask(),
        new SignalTask(), // last: run folders read back without another task's key are signal runs
    ];

    /// <summary>The task of a resolved configuration.</summary>
    public static ITask For(DataConfig data) => All.First(t => t.SourceKeys.Contains(data.SourceKey));

    /// <summary>Every run's data loaded and networks specified before the first one starts, so bad input stops
    /// nothing half-way.</summary>
    public static IReadOnlyList<PreparedRun> Prepare(IReadOnlyList<RunPlan> runs)
    {
        var cache = new DataCache();
        return runs.Select(r => For(r.Config.Data).Prepare(r, cache)).ToList();
    }

    /// <summary>The task of runs read back from their folders, by the keys their config.yaml holds.</summary>
    public static ITask ForRecorded(IEnumerable<string> keys)
    {
        var present = keys.ToHashSet();
        return All.First(t => t.SourceKeys.Any(present.Contains) || t == All[^1]);
    }
}
