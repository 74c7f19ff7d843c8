namespace LoE.Host.Tasks;

/// <summary>
/// A kind of run (nerfstudio's pipeline): the data keys that select it, how its data is loaded and its networks
/// specified before any run starts, how its summary reads and how `loe render` draws it. What one run trains and
/// writes is its <see cref="PreparedRun"/>'s. The executor, the sweep, resume, Slurm and the reports know runs only
/// through these two types; <see cref="TaskTable"/> lists the tasks.
/// </summary>
public interface ITask
{
    /// <summary>The data keys that select this task (DataConfig.SourceKey, or their presence in a recorded config.yaml).</summary>
    IReadOnlyList<string> SourceKeys { get; }

    /// <summary>How many coordinates a point of <paramref name="data"/> has, and what they are of (for messages).</summary>
    (int Dims, string Name) Coordinates(DataConfig data);

    /// <summary>Loads the run's data (through <paramref name="cache"/>: the rows of a sweep share it) and builds its
    /// core specifications. Bad input throws a <see cref="ConfigException"/> naming the key.</summary>
    PreparedRun Prepare(RunPlan run, DataCache cache);

    /// <summary>Writes summary.csv, summary.md and the experiment's plots; returns the Markdown table.</summary>
    Task<string> SummariseAsync(SummaryInput input);

    /// <summary>`loe render RUN_DIR`: the trained run drawn anew (tasks with nothing to draw refuse).</summary>
    Task<int> RenderAsync(RenderRequest request);
}
