using System.Globalization;
using System.Text;
using LoE.Host.Data;

namespace LoE.Host.Tasks;

/// <summary>A GAN run's pictures: what people look at to follow and judge a GAN.</summary>
public static class GanPictures
{
    public const string SamplesFolder = "samples";

    /// <summary>samples/iteration-NNNNNNN.png: a grid from the run's fixed latents after <paramref name="iteration"/> iterations.</summary>
    public static Task WriteSamplesAsync(this RunFolder folder, int iteration, Image grid)
    {
        Directory.CreateDirectory(folder.File(SamplesFolder));
        return AtomicFile.WriteBytesAsync(System.IO.Path.Combine(folder.File(SamplesFolder), $"iteration-{iteration:D7}.png"), ImageFile.EncodePng(Enlarged(grid)));
    }

    /// <summary>A picture of small images blown up (nearest neighbour) to at least 512 pixels wide: 8 Fashion-MNIST
    /// samples of 32² make a grid too small to judge on a screen.</summary>
    public static Image Enlarged(Image im)
    {
        var k = Math.Max(1, 512 / im.Width);
        if (k == 1) return im;
        var (w, c) = (im.Width * k, im.Channels);
        var pixels = new float[w * im.Height * k * c];
        for (var y = 0; y < im.Height * k; y++)
        for (var x = 0; x < w; x++)
            Array.Copy(im.Pixels, ((y / k) * im.Width + x / k) * c, pixels, (y * w + x) * c, c);
        return new Image(w, im.Height * k, c, pixels);
    }

    /// <summary>
    /// samples.png (the trained generator's grid), interpolation.png (rows of images between two latents),
    /// losses.csv and losses.png (both networks' losses at every iteration this process trained).
    /// </summary>
    public static async Task WriteGanPicturesAsync(this RunFolder folder, Image grid, Image interpolation, (int Iteration, double D, double G)[] losses)
    {
        await AtomicFile.WriteBytesAsync(folder.File("samples.png"), ImageFile.EncodePng(Enlarged(grid)));
        await AtomicFile.WriteBytesAsync(folder.File("interpolation.png"), ImageFile.EncodePng(Enlarged(interpolation)));
        if (losses.Length == 0) return;
        var csv = new StringBuilder("iteration,discriminator_loss,generator_loss\n");
        foreach (var (it, d, g) in losses)
            csv.Append(string.Create(CultureInfo.InvariantCulture, $"{it},{d:R},{g:R}\n"));
        await AtomicFile.WriteTextAsync(folder.File("losses.csv"), csv.ToString());
        await LossPlot.WriteAsync(folder.File("losses.png"), losses);
    }
}
