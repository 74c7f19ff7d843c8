using ScottPlot;

namespace LoE.Host.Tasks;

/// <summary>waveform.png: the sound and the network's reconstruction over time, the 15 ms from 5 ms before the middle
/// (where generated:chord clicks; whole seconds of audio are too dense to read cycles), and the error.</summary>
public static class WaveformPlot
{
    public static Task WriteAsync(string path, Sound target, Sound fitted, string title)
    {
        var multi = new Multiplot();
        multi.AddPlots(3);
        double[] D(IEnumerable<float> xs) => [.. xs.Select(x => (double)x)];
        var palette = new ScottPlot.Palettes.Category10();

        var top = multi.GetPlot(0);
        // Signal plots: evenly spaced samples, drawn per pixel column, so minutes of audio plot as fast as a second.
        var period = 1.0 / target.Rate;
        var truth = top.Add.Signal(D(target.Samples), period, palette.GetColor(0));
        truth.LegendText = "target";
        var fit = top.Add.Signal(D(fitted.Samples), period, palette.GetColor(1).WithAlpha(0.8));
        fit.LegendText = "reconstruction";
        top.Title(title);
        top.YLabel("amplitude");
        top.ShowLegend(Edge.Right);

        var zoom = multi.GetPlot(1);
        var middle = target.Samples.Length / 2;
        var (from, to) = (Math.Max(0, middle - target.Rate / 200), Math.Min(target.Samples.Length, middle + target.Rate / 100));
        var seconds = Enumerable.Range(from, to - from).Select(i => i / (double)target.Rate).ToArray();
        zoom.Add.ScatterLine(seconds, D(target.Samples[from..to]), palette.GetColor(0));
        zoom.Add.ScatterLine(seconds, D(fitted.Samples[from..to]), palette.GetColor(1).WithAlpha(0.8));
        zoom.YLabel("amplitude (detail)");

        var bottom = multi.GetPlot(2);
        bottom.Add.Signal(D(fitted.Samples.Zip(target.Samples, (f, t) => f - t)), period, palette.GetColor(3));
        bottom.XLabel("time (s)");
        bottom.YLabel("error");
        foreach (var p in new[] { top, zoom, bottom }) p.Font.Set("DejaVu Sans");
        return AtomicFile.WriteBytesAsync(path, multi.Render(1200, 900).GetImageBytes(ImageFormat.Png, 100));
    }
}
