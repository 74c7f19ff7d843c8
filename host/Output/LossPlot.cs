using ScottPlot;

namespace LoE.Host.Output;

/// <summary>losses.png: a GAN's discriminator and generator losses (eq. 9–10) against iteration, each as it was and
/// as a moving average (single iterations are noisy: the batch and the latents change every step).</summary>
public static class LossPlot
{
    public static Task WriteAsync(string path, (int Iteration, double D, double G)[] losses)
    {
        var plot = new Plot();
        var xs = losses.Select(l => (double)l.Iteration).ToArray();
        var window = Math.Max(1, losses.Length / 50);
        void Curve(double[] ys, Color color, string name)
        {
            var raw = plot.Add.ScatterLine(xs, ys, color.WithAlpha(0.25));
            raw.LineWidth = 1;
            var smooth = plot.Add.ScatterLine(xs, MovingAverage(ys, window), color);
            smooth.LineWidth = 2;
            smooth.LegendText = $"{name} (mean of {window})";
        }
        var palette = new ScottPlot.Palettes.Category10();
        Curve(losses.Select(l => l.D).ToArray(), palette.GetColor(0), "discriminator L_D");
        Curve(losses.Select(l => l.G).ToArray(), palette.GetColor(1), "generator L_G");
        return PlotFile.WriteAsync(plot, path, $"GAN losses, iterations {losses[0].Iteration}–{losses[^1].Iteration}", "iteration", "hinge loss", 1000, 500);
    }

    private static double[] MovingAverage(double[] ys, int window)
    {
        var result = new double[ys.Length];
        var sum = 0.0;
        for (var i = 0; i < ys.Length; i++)
        {
            sum += ys[i];
            if (i >= window) sum -= ys[i - window];
            result[i] = sum / Math.Min(i + 1, window);
        }
        return result;
    }
}
