using ScottPlot;

namespace LoE.Host.Output;

/// <summary>What every single-panel plot of a run shares: its labels, the legend beside the data (curves fill the
/// plot), DejaVu Sans and the PNG written atomically.</summary>
public static class PlotFile
{
    public static Task WriteAsync(Plot plot, string path, string title, string xLabel, string yLabel, int width, int height)
    {
        // The serif fallback ScottPlot picks when its default font is missing looks out of place next to the tables.
        plot.Font.Set("DejaVu Sans");
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Edge.Right);
        return AtomicFile.WriteBytesAsync(path, plot.GetImage(width, height).GetImageBytes(ImageFormat.Png, 100));
    }
}
