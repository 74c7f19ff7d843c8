namespace LoE.Host.Metrics;

/// Images to the planar RGB input of an ImageNet network.
internal static class Bilinear
{
    /// Resizes `image` to size × size and writes it planar (R, G, B planes) at `destination`, each value v of
    /// [0, 1] as scale · v + offset; gray is replicated to the three planes. The sampling is PyTorch's bilinear
    /// with align_corners=False and no antialiasing (source coordinate (x + 0.5) · in / out − 0.5, clamped at the
    /// border), which is what pytorch-fid's F.interpolate does; downscaling therefore aliases like it does there.
    public static void ToPlanarRgb(Image image, int size, float scale, float offset, Span<float> destination)
    {
        if (image.Channels is not (1 or 3))
            throw new ArgumentException($"features need 1 or 3 channels, the image has {image.Channels}", nameof(image));
        if (image.Width < 1 || image.Height < 1 || image.Pixels.Length != image.Width * image.Height * image.Channels)
            throw new ArgumentException($"a {image.Width}×{image.Height}×{image.Channels} image cannot hold {image.Pixels.Length} values", nameof(image));
        if (destination.Length < 3 * size * size)
            throw new ArgumentException("destination is smaller than 3 planes", nameof(destination));
        var (x0, x1, wx) = Taps(image.Width, size);
        var (y0, y1, wy) = Taps(image.Height, size);
        var c = image.Channels;
        var p = image.Pixels;
        var plane = size * size;
        for (var y = 0; y < size; y++)
        {
            int r0 = y0[y] * image.Width, r1 = y1[y] * image.Width;
            var fy = wy[y];
            for (var x = 0; x < size; x++)
            {
                var fx = wx[x];
                for (var ch = 0; ch < c; ch++)
                {
                    var top = p[(r0 + x0[x]) * c + ch] * (1 - fx) + p[(r0 + x1[x]) * c + ch] * fx;
                    var bottom = p[(r1 + x0[x]) * c + ch] * (1 - fx) + p[(r1 + x1[x]) * c + ch] * fx;
                    destination[ch * plane + y * size + x] = scale * (top * (1 - fy) + bottom * fy) + offset;
                }
            }
        }
        if (c == 1)
        {
            destination[..plane].CopyTo(destination[plane..(2 * plane)]);
            destination[..plane].CopyTo(destination[(2 * plane)..(3 * plane)]);
        }
    }

    /// For each output index, the two source indices and the weight of the second.
    static (int[] Lo, int[] Hi, float[] Weight) Taps(int input, int output)
    {
        var lo = new int[output];
        var hi = new int[output];
        var w = new float[output];
        var ratio = (double)input / output;
        for (var i = 0; i < output; i++)
        {
            var src = Math.Max(0.0, (i + 0.5) * ratio - 0.5);
            lo[i] = Math.Min((int)src, input - 1);
            hi[i] = Math.Min(lo[i] + 1, input - 1);
            w[i] = (float)(src - lo[i]);
        }
        return (lo, hi, w);
    }
}
