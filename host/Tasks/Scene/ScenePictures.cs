using LoE.Core.Nerf;
using LoE.Host.Data;

namespace LoE.Host.Tasks;

/// <summary>What a scene run draws in its folder.</summary>
public static class ScenePictures
{
    /// <summary>
    /// A scene run's pictures: reconstruction.png (the first test view), test/view-NNN.png (every test view's render),
    /// comparison.png (up to eight test views, the truth above the render), and turntable/frame-NNNN.png with
    /// turntable.gif when a turntable was rendered.
    /// </summary>
    public static async Task WriteAsync(RunFolder folder, NerfResult result, Scene scene)
    {
        await AtomicFile.WriteBytesAsync(folder.File("reconstruction.png"), ImageFile.EncodePng(result.Renders[0]));
        var test = folder.File("test");
        Directory.CreateDirectory(test);
        for (var i = 0; i < result.Renders.Length; i++)
            await AtomicFile.WriteBytesAsync(Path.Combine(test, $"view-{i:D3}.png"), ImageFile.EncodePng(result.Renders[i]));
        var shown = Math.Min(8, result.Renders.Length);
        var truth = scene.Test.Take(shown).Select(v => v.Image).ToArray();
        await AtomicFile.WriteBytesAsync(folder.File("comparison.png"), ImageFile.EncodePng(Mosaic([truth, result.Renders[..shown]])));
        if (result.Extra.Length == 0) return;
        var frames = folder.File("turntable");
        Directory.CreateDirectory(frames);
        for (var i = 0; i < result.Extra.Length; i++)
            await AtomicFile.WriteBytesAsync(Path.Combine(frames, $"frame-{i:D4}.png"), ImageFile.EncodePng(result.Extra[i]));
        await AtomicFile.WriteBytesAsync(folder.File("turntable.gif"), GifFile.Encode(result.Extra));
    }

    /// <summary>Rows of equally sized RGB images side by side, rows one above the other.</summary>
    public static Image Mosaic(IReadOnlyList<IReadOnlyList<Image>> rows)
    {
        var (w, h) = (rows[0][0].Width, rows[0][0].Height);
        var columns = rows.Max(r => r.Count);
        var pixels = new float[columns * w * rows.Count * h * 3];
        Array.Fill(pixels, 1f);
        for (var r = 0; r < rows.Count; r++)
        for (var c = 0; c < rows[r].Count; c++)
        for (var y = 0; y < h; y++)
            Array.Copy(rows[r][c].Pixels, y * w * 3, pixels, ((r * h + y) * columns * w + c * w) * 3, w * 3);
        return new Image(columns * w, rows.Count * h, 3, pixels);
    }
}
