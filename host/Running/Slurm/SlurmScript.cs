using System.Globalization;
using System.Text;

namespace LoE.Host.Running.Slurm;

/// <summary>
/// The sbatch scripts of one experiment: a job array with one task per run id (the task maps
/// SLURM_ARRAY_TASK_ID to its id through a bash array and calls <c>loe run --run-id</c>, which skips a finished
/// run and continues a partial one), and a report job that rebuilds the summary once the array is over.
/// </summary>
public static class SlurmScript
{
    /// <param name="runArgs">Arguments every task passes to <c>loe run</c> (file, experiment, output folder, --set, backend), already quoted.</param>
    public static string Array(string experiment, IReadOnlyList<string> runIds, string slurmFolder, string loe,
                               IReadOnlyList<string> runArgs, SlurmOptions options)
    {
        var sb = new StringBuilder();
        sb.Append("#!/bin/bash\n");
        sb.Append($"# Written by loe: one array task per run of experiment {experiment} ({runIds.Count} runs).\n");
        sb.Append("# Resubmitting is safe: finished runs are skipped, partial runs continue from checkpoint.bin.\n");
        sb.Append($"#SBATCH --job-name={Shell.Quote("loe-" + experiment)}\n");
        sb.Append($"#SBATCH --array=0-{(runIds.Count - 1).ToString(CultureInfo.InvariantCulture)}\n");
        sb.Append($"#SBATCH --cpus-per-task={options.CpusPerTask.ToString(CultureInfo.InvariantCulture)}\n");
        if (options.Partition is { } p) sb.Append($"#SBATCH --partition={p}\n");
        if (options.Time is { } t) sb.Append($"#SBATCH --time={t}\n");
        sb.Append($"#SBATCH --output={Path.Combine(slurmFolder, "%A_%a.out")}\n");
        sb.Append("#SBATCH --open-mode=append\n");
        sb.Append("set -euo pipefail\n\n");
        sb.Append("ids=(\n");
        foreach (var id in runIds) sb.Append("  ").Append(Shell.Quote(id)).Append('\n');
        sb.Append(")\n");
        sb.Append("id=\"${ids[$SLURM_ARRAY_TASK_ID]}\"\n");
        sb.Append("echo \"loe: $(hostname): array task $SLURM_ARRAY_TASK_ID is run $id\"\n");
        // exec: loe itself receives Slurm's SIGTERM at the time limit and stops cleanly (its last checkpoint stays).
        sb.Append($"exec {loe} run {string.Join(" ", runArgs)} --run-id \"$id\" --threads \"${{SLURM_CPUS_PER_TASK:-{options.CpusPerTask}}}\"\n");
        return sb.ToString();
    }

    /// <summary>A one-task job that rebuilds summary.csv, summary.md and psnr.png from the run folders.</summary>
    public static string Report(string experiment, string experimentFolder, string slurmFolder, string loe, SlurmOptions options)
    {
        var sb = new StringBuilder();
        sb.Append("#!/bin/bash\n");
        sb.Append($"# Written by loe: rebuilds the summary of experiment {experiment} after its array job.\n");
        sb.Append($"#SBATCH --job-name={Shell.Quote("loe-" + experiment + "-report")}\n");
        sb.Append("#SBATCH --cpus-per-task=1\n");
        if (options.Partition is { } p) sb.Append($"#SBATCH --partition={p}\n");
        sb.Append($"#SBATCH --output={Path.Combine(slurmFolder, "report-%j.out")}\n");
        sb.Append("set -euo pipefail\n");
        sb.Append($"exec {loe} report {Shell.Quote(experimentFolder)}\n");
        return sb.ToString();
    }
}
