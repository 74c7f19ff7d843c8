namespace LoE.Host.Running;

/// <summary>Where the runs of an invocation report to: a live table on a terminal, log lines otherwise. Called from several runs' threads at once.</summary>
public interface IRunMonitor
{
    /// <summary>Runs <paramref name="body"/> while the monitor is showing (a live display owns the terminal meanwhile).</summary>
    Task<T> ShowAsync<T>(Func<Task<T>> body);

    void Started(RunPlan run, int totalIterations, int resumedAt, string device);

    void Progress(RunPlan run, Progress p);

    void Finished(RunOutcome outcome);

    /// <summary>A line worth keeping (a warning, a failure); printed above a live display, not lost in it.</summary>
    void Message(string text);
}
