using System.Globalization;
using System.Text;
using LoE.Host.Metrics;
using ScottPlot;

namespace LoE.Host.Output;

/// <summary>
/// spectrum.csv and spectrum.png: generated images' power over real images' at each spatial frequency, along x and
/// y. A ratio of 1 is the real images' spectrum; a peak above its neighbours is a periodic artefact at that period.
/// </summary>
public static class SpectrumPlot
{
    public static async Task WriteAsync(string csvPath, string pngPath, PowerSpectrum generated, PowerSpectrum real)
    {
        var axes = new[] { ("x", generated.AlongX, real.AlongX, generated.Width), ("y", generated.AlongY, real.AlongY, generated.Height) };
        // k = 0 (the mean brightness) has no period: left empty.
        var csv = new StringBuilder("axis,k,cycles_per_pixel,period_pixels,generated_power,real_power,ratio\n");
        foreach (var (axis, g, r, n) in axes)
            for (var k = 0; k < g.Length; k++)
                csv.Append(string.Create(CultureInfo.InvariantCulture,
                    $"{axis},{k},{(double)k / n:R},{(k == 0 ? "" : ((double)n / k).ToString("R", CultureInfo.InvariantCulture))},{g[k]:R},{r[k]:R},{g[k] / r[k]:R}\n"));
        await AtomicFile.WriteTextAsync(csvPath, csv.ToString());

        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        foreach (var ((axis, g, r, n), i) in axes.Select((a, i) => (a, i)))
        {
            // k = 0 is the mean brightness, not a frequency.
            var ks = Enumerable.Range(1, g.Length - 1);
            var line = plot.Add.ScatterLine(ks.Select(k => (double)k / n).ToArray(), ks.Select(k => g[k] / r[k]).ToArray(), palette.GetColor(i));
            line.LineWidth = 2;
            line.MarkerSize = 6;
            line.LegendText = $"along {axis}";
        }
        plot.Add.HorizontalLine(1, 1, Colors.Gray, LinePattern.Dashed);
        await PlotFile.WriteAsync(plot, pngPath, $"Power of {generated.Images} generated over {real.Images} real images",
            "cycles per pixel (period = 1 / this, in pixels)", "generated / real power", 900, 450);
    }
}
