using System.Diagnostics;

namespace LoE.Host.Running.Slurm;

/// <summary>Writes the experiment's sbatch scripts into OUT/EXPERIMENT/slurm/ and submits them when sbatch is on PATH.</summary>
public static class SlurmExecutor
{
    public const string ArrayScriptName = "run.sbatch";
    public const string ReportScriptName = "report.sbatch";

    public static async Task SubmitAsync(
        string experiment, string experimentFolder, IReadOnlyList<string> runIds, IReadOnlyList<string> runArgs,
        SlurmOptions options, bool dryRun, TextWriter output)
    {
        experimentFolder = Path.GetFullPath(experimentFolder);
        var slurmFolder = Path.Combine(experimentFolder, "slurm");
        Directory.CreateDirectory(slurmFolder);
        var loe = LoeCommand.Current();
        var arrayPath = Path.Combine(slurmFolder, ArrayScriptName);
        var reportPath = Path.Combine(slurmFolder, ReportScriptName);
        await AtomicFile.WriteTextAsync(arrayPath, SlurmScript.Array(experiment, runIds, slurmFolder, loe, runArgs, options));
        await AtomicFile.WriteTextAsync(reportPath, SlurmScript.Report(experiment, experimentFolder, slurmFolder, loe, options));
        // Executable, so that a user can also run one task by hand (SLURM_ARRAY_TASK_ID=0 ./run.sbatch).
        if (!OperatingSystem.IsWindows())
            foreach (var path in new[] { arrayPath, reportPath })
                File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute);
        output.WriteLine($"{experiment}: wrote {arrayPath} ({runIds.Count} array task{(runIds.Count == 1 ? "" : "s")}) and {reportPath}");

        if (dryRun) return;
        if (Shell.Which("sbatch") is not { } sbatch)
        {
            output.WriteLine($"sbatch is not on PATH: submit on the cluster with `sbatch {arrayPath}`, then `loe report {experimentFolder}`");
            return;
        }
        var arrayJob = await SbatchAsync(sbatch, ["--parsable", arrayPath]);
        // afterany: the summary should show failed runs too.
        var reportJob = await SbatchAsync(sbatch, ["--parsable", $"--dependency=afterany:{arrayJob}", reportPath]);
        output.WriteLine($"submitted job array {arrayJob} and report job {reportJob}; logs in {slurmFolder}");
    }

    /// <summary>Runs sbatch and returns the job id (<c>--parsable</c> prints "id" or "id;cluster").</summary>
    private static async Task<string> SbatchAsync(string sbatch, IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo(sbatch) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start sbatch");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new SlurmException($"sbatch {string.Join(" ", args)} failed (exit {process.ExitCode}): {(await stderr).Trim()}");
        return (await stdout).Trim().Split(';')[0];
    }
}

/// <summary>The cluster refused a job; reported as one line, not as an internal error.</summary>
public sealed class SlurmException(string message) : Exception(message);
