using System.Globalization;

namespace LoE.Host.Running;

/// <summary>One console line per progress report: run, iteration, loss, PSNR, speed and time left.</summary>
public sealed record ProgressPrinter(string RunId, int TotalIterations, TextWriter Out)
{
    public void Print(Progress p)
    {
        var rate = p.Seconds > 0 ? p.Iteration / p.Seconds : 0;
        var eta = rate > 0 ? TimeSpan.FromSeconds((TotalIterations - p.Iteration) / rate) : (TimeSpan?)null;
        var width = TotalIterations.ToString(CultureInfo.InvariantCulture).Length;
        Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {RunId}  it {p.Iteration.ToString(CultureInfo.InvariantCulture).PadLeft(width)}/{TotalIterations}" +
            // A GAN's loss is the discriminator's and has no PSNR.
            $"  loss {p.Loss:0.000e+00}{(double.IsNaN(p.PsnrDb) ? "" : $"  psnr {p.PsnrDb,6:0.00} dB")}  lr {p.LearningRate:0.###e+00}" +
            $"  {rate,7:0.0} it/s  ETA {Duration(eta)}"));
    }

    public static string Duration(TimeSpan? t)
    {
        if (t is not { } d) return "?";
        return d.TotalHours >= 1
            ? $"{(int)d.TotalHours}:{d.Minutes:00}:{d.Seconds:00}"
            : $"{d.Minutes}:{d.Seconds:00}";
    }
}
