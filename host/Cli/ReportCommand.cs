namespace LoE.Host.Cli;

/// <summary><c>loe report DIR</c>: every summary and plot rebuilt from config.yaml, metrics.csv and final.json/failed.json.</summary>
public static class ReportCommand
{
    public static async Task<int> ExecuteAsync(ReportOptions options, TextWriter output)
    {
        if (!Directory.Exists(options.Folder))
            throw new ConfigException(Origin.CommandLine(options.Folder), null, "folder not found");
        var experimentFolders = IsExperimentFolder(options.Folder)
            ? [options.Folder]
            : Directory.GetDirectories(options.Folder).Where(IsExperimentFolder).Order(StringComparer.Ordinal).ToList();
        if (experimentFolders.Count == 0)
            throw new ConfigException(Origin.CommandLine(options.Folder), null,
                "no run folders here (an experiment folder holds RUN_ID/config.yaml; an output folder holds experiment folders)");
        foreach (var folder in experimentFolders)
        {
            var table = await Summary.WriteAsync(folder);
            output.WriteLine($"{folder}: summary.csv, summary.md{(File.Exists(Path.Combine(folder, "psnr.png")) ? ", psnr.png" : "")}");
            if (table is not null) output.Write(table);
            output.WriteLine();
        }
        return 0;
    }

    private static bool IsExperimentFolder(string folder) =>
        Directory.GetDirectories(folder).Any(d => File.Exists(Path.Combine(d, RunFolder.ConfigFile)));
}
