using LoE.Host.Tasks;

namespace LoE.Host.Cli;

/// <summary><c>loe layouts FILE -e NAME</c>: one picture per distinct layout of the experiment's runs.</summary>
public static class LayoutsCommand
{
    public static async Task<int> ExecuteAsync(LayoutsOptions options, TextWriter output)
    {
        if (options.Size is < 4 or > 4096)
            throw new ConfigException(Origin.CommandLine("--size"), null, $"must be between 4 and 4096, got {options.Size}");
        var file = ExperimentFile.Load(options.File);
        var experiment = file.Find(options.Experiment);
        var runs = Sweep.Expand(file, experiment, Override.Parse(options.Set));
        var folder = Path.Combine(options.Out, experiment.Name, "layouts");
        var written = new HashSet<string>();
        var seen = new HashSet<string>();
        foreach (var run in runs)
        {
            var model = SignalSpecs.Model(run.Config);
            if (model.Tile.Length != 2)
            {
                output.WriteLine($"{run.Id}: pictures are drawn for 2-D (image) layouts only; skipped");
                continue;
            }
            var layoutName = run.Config.Model.Layout;
            // Only random layouts differ between seeds; other runs that differ only in seed share one picture.
            var key = $"{Canonical.Format(model.Tile)} {Canonical.Format(model.Layout)}";
            if (!seen.Add(key)) continue;
            var title = layoutName == "random-affine" ? $"{layoutName} (seed {run.Seed})" : layoutName;
            var name = RunId.Slug(layoutName == "random-affine" ? $"{layoutName}-s{run.Seed}" : layoutName);
            for (var i = 2; !written.Add(name); i++) name = RunId.Slug($"{layoutName}-{i}");
            var path = Path.Combine(folder, name + ".png");
            await AtomicFile.WriteBytesAsync(path, LayoutPicture.Png(title, model.Layout, model.Tile, options.Size));
            output.WriteLine(path);
        }
        return 0;
    }
}
