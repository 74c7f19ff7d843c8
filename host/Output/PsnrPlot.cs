using ScottPlot;

namespace LoE.Host.Output;

/// <summary>psnr.png: PSNR against iteration, one line per combination (mean over seeds, a band of ± one
/// standard deviation when there are several), like Figure 8 of the paper. Where held-out PSNR was measured
/// (scene.eval_every) a combination also gets a dashed test curve with markers in its colour, beside its solid
/// training curve.</summary>
public static class PsnrPlot
{
    public static Task WriteAsync(string path, string experiment, IReadOnlyList<string> keys, IReadOnlyList<Combination> combinations)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < combinations.Count; i++)
        {
            var c = combinations[i];
            var histories = c.Runs.Select(r => r.History).Where(h => h.Count > 0).ToList();
            var (xs, mean, std) = Curve(histories, p => p.PsnrDb);
            if (xs.Length == 0) continue;
            var color = palette.GetColor(i);
            if (std.Any(s => s > 0))
            {
                var band = plot.Add.FillY(xs, mean.Zip(std, (m, s) => m - s).ToArray(), mean.Zip(std, (m, s) => m + s).ToArray());
                band.FillColor = color.WithAlpha(0.18);
                band.LineWidth = 0;
            }
            var line = plot.Add.ScatterLine(xs, mean, color);
            line.LineWidth = 2;
            var failed = c.Failed.Count > 0 ? " (failed)" : "";
            line.LegendText = c.Label(keys) + failed;
            var (tx, tmean, _) = Curve(histories, p => p.TestPsnrDb);
            if (tx.Length > 0)
            {
                line.LegendText = c.Label(keys) + " train" + failed;
                var test = plot.Add.Scatter(tx, tmean, color);
                test.LineWidth = 2;
                test.LinePattern = LinePattern.Dashed;
                test.MarkerSize = 6;
                test.LegendText = c.Label(keys) + " test" + failed;
            }
        }
        plot.Axes.Margins(horizontal: 0.02, vertical: 0.08);
        plot.Legend.FontSize = 13;
        var title = keys.Count > 0 ? $"{experiment}: PSNR during training, by {string.Join(", ", keys)}" : $"{experiment}: PSNR during training";
        return PlotFile.WriteAsync(plot, path, title, "iteration", "PSNR (dB)", 1000, 560);
    }

    /// <summary>Mean and standard deviation over seeds at each iteration that every seed logged (unfinished seeds shorten the curve).</summary>
    private static (double[] Xs, double[] Mean, double[] Std) Curve(IReadOnlyList<IReadOnlyList<Progress>> histories, Func<Progress, double> psnr)
    {
        if (histories.Count == 0) return ([], [], []);
        var byIteration = histories
            .SelectMany(h => h.Where(p => double.IsFinite(psnr(p))))
            .GroupBy(p => p.Iteration)
            .Where(g => g.Count() == histories.Count || histories.Count == 1)
            .OrderBy(g => g.Key)
            .ToList();
        var xs = byIteration.Select(g => (double)g.Key).ToArray();
        var mean = byIteration.Select(g => g.Average(psnr)).ToArray();
        var std = byIteration.Select(g => g.Count() < 2 ? 0.0 : Combination.MeanStd([.. g.Select(psnr)]).Std).ToArray();
        return (xs, mean, std);
    }
}
