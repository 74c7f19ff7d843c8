using System.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace LoE.Host.Metrics;

/// <summary>
/// The mean power of images at each spatial frequency, along x (every row's DFT) and along y (every column's), all
/// channels: p_k = |X_k|² / N for k = 0 … ⌊N/2⌋, averaged over lines and images. A generator's periodic artefacts,
/// such as LoE's expert lattice (a tile of t experts on cells of c pixels repeats every t·c pixels), show as peaks
/// over the real images' spectrum at their period. Divided by N, a line of white noise of variance σ² reads σ² at
/// every k, whatever N.
/// </summary>
public sealed class PowerSpectrum(int width, int height)
{
    private readonly double[] _x = new double[width / 2 + 1], _y = new double[height / 2 + 1];
    private long _rows, _columns;

    public int Width => width;
    public int Height => height;

    /// <summary>Mean power along x at k = 0 … ⌊width/2⌋ (k / width cycles per pixel).</summary>
    public double[] AlongX => [.. _x.Select(p => p / Math.Max(1, _rows))];

    /// <summary>Mean power along y at k = 0 … ⌊height/2⌋.</summary>
    public double[] AlongY => [.. _y.Select(p => p / Math.Max(1, _columns))];

    public int Images { get; private set; }

    public void Add(Image im)
    {
        if (im.Width != width || im.Height != height)
            throw new ArgumentException($"a {im.Width}×{im.Height} image in a spectrum of {width}×{height} images");
        for (var c = 0; c < im.Channels; c++)
        {
            for (var y = 0; y < height; y++)
                Accumulate(_x, width, i => im.Pixels[(y * width + i) * im.Channels + c]);
            for (var x = 0; x < width; x++)
                Accumulate(_y, height, i => im.Pixels[(i * width + x) * im.Channels + c]);
        }
        (_rows, _columns, Images) = (_rows + (long)im.Channels * height, _columns + (long)im.Channels * width, Images + 1);
    }

    private static void Accumulate(double[] into, int n, Func<int, float> at)
    {
        var line = new Complex[n];
        for (var i = 0; i < n; i++) line[i] = at(i);
        Fourier.Forward(line, FourierOptions.NoScaling);
        for (var k = 0; k < into.Length; k++) into[k] += line[k].Magnitude * line[k].Magnitude / n;
    }
}
