using SkiaSharp;

namespace LoE.Host.Output;

/// <summary>
/// A layout as a picture: one panel per position-dependent layer, each pixel coloured by the expert that the
/// pixel's centre uses at that layer (<see cref="Grid.nearest"/>), like the "Visualization" column of Table 5.
/// </summary>
public static class LayoutPicture
{
    private const int Gap = 14, Margin = 16, TitleHeight = 34, LabelHeight = 22;

    public static byte[] Png(string title, AffineMap[] layout, int[] tile, int size)
    {
        var experts = tile.Aggregate(1, (a, b) => a * b);
        var colors = Enumerable.Range(0, experts).Select(Palette).ToArray();
        var width = 2 * Margin + layout.Length * size + (layout.Length - 1) * Gap;
        var height = Margin + TitleHeight + LabelHeight + size + Margin;
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var typeface = Typeface();
        using var titleFont = new SKFont(typeface, 18);
        using var labelFont = new SKFont(typeface, 13);
        using var ink = new SKPaint { Color = new SKColor(40, 40, 40), IsAntialias = true };
        canvas.DrawText($"{title}: nearest expert per layer ({string.Join("×", tile)} tile)", Margin, Margin + 20, SKTextAlign.Left, titleFont, ink);

        var centres = Grid.pixelCentres(size, size);
        for (var layer = 0; layer < layout.Length; layer++)
        {
            using var panel = new SKBitmap(size, size, SKColorType.Rgba8888, SKAlphaType.Premul);
            for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
            {
                var i = y * size + x;
                var expert = Grid.nearest(layout[layer], tile, [centres[2 * i], centres[2 * i + 1]]);
                panel.SetPixel(x, y, colors[expert]);
            }
            var left = Margin + layer * (size + Gap);
            var top = Margin + TitleHeight + LabelHeight;
            canvas.DrawText($"layer {layer + 1}", left + size / 2f, top - 7, SKTextAlign.Center, labelFont, ink);
            canvas.DrawBitmap(panel, left, top);
            using var frame = new SKPaint { Color = new SKColor(120, 120, 120), Style = SKPaintStyle.Stroke, StrokeWidth = 1 };
            canvas.DrawRect(left - 0.5f, top - 0.5f, size + 1, size + 1, frame);
        }
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Tableau's 10 colours, then evenly spread hues for larger tiles.</summary>
    private static SKColor Palette(int i)
    {
        uint[] tab10 = [0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf];
        if (i < tab10.Length) return new SKColor((byte)(tab10[i] >> 16), (byte)(tab10[i] >> 8), (byte)tab10[i]);
        return SKColor.FromHsv(i * 137.508f % 360, 55 + 30 * (i % 2), 75 + 20 * (i % 3 == 0 ? 1 : 0));
    }

    // The Linux Skia build without dependencies has no fontconfig: fall back to a font file when the family lookup fails.
    private static SKTypeface Typeface()
    {
        var byName = SKTypeface.FromFamilyName("DejaVu Sans");
        if (byName is not null && byName.FamilyName.Length > 0 && byName.GlyphCount > 0) return byName;
        foreach (var file in new[] { "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf" })
            if (File.Exists(file) && SKTypeface.FromFile(file) is { } t) return t;
        return byName ?? SKTypeface.Default;
    }
}
