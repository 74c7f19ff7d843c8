using SkiaSharp;

namespace LoE.Host.Data;

/// <summary>PNG/JPEG images to and from the core's <see cref="Image"/> (row-major, interleaved, values in [0, 1]).</summary>
public static class ImageFile
{
    /// <summary>
    /// Decodes an image; gray images (Gray8, or all channels equal) give one channel, others RGB (alpha dropped).
    /// <paramref name="size"/> = [width, height] resizes with linear filtering over mipmaps (area-like when shrinking).
    /// </summary>
    public static Image Load(string path, int[]? size = null)
    {
        using var decoded = Decode(path, out var grayFile);
        return FromBitmap(decoded, grayFile || AllChannelsEqual(decoded) ? 1 : 3, size);
    }

    /// <summary>
    /// Decodes an image as RGB composited over white at its own resolution (a scene's views: NeRF-synthetic's RGBA
    /// objects on white, as its published code does), then resized to [width, height] when given: compositing first
    /// keeps the transparent pixels' colour out of the filtered edges.
    /// </summary>
    public static Image LoadOnWhite(string path, int[]? size = null)
    {
        using var decoded = Decode(path, out _);
        using var white = new SKBitmap(new SKImageInfo(decoded.Width, decoded.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using (var canvas = new SKCanvas(white))
        {
            canvas.Clear(SKColors.White);
            canvas.DrawBitmap(decoded, 0, 0);
        }
        return FromBitmap(white, 3, size);
    }

    /// <summary>An image's alpha in all three channels (opaque files: 1), resized to [width, height] when given: a
    /// scene view's mask (scene.box fitted).</summary>
    public static Image LoadAlpha(string path, int[]? size = null)
    {
        using var decoded = Decode(path, out _);
        var span = decoded.GetPixelSpan();
        for (var i = 0; i < span.Length; i += 4)
        {
            span[i] = span[i + 1] = span[i + 2] = span[i + 3];
            span[i + 3] = 255;
        }
        return FromBitmap(decoded, 3, size);
    }

    /// <summary>An image file's stored width and height, read from its header.</summary>
    public static (int Width, int Height) StoredSize(string path)
    {
        using var codec = SKCodec.Create(path, out var opened)
                          ?? throw new InvalidDataException($"{path}: not a PNG or JPEG image Skia can decode ({Describe(opened)})");
        return (codec.Info.Width, codec.Info.Height);
    }

    /// <summary>
    /// Decodes an image as RGB, its centred largest square cropped and resized to side × side (a GAN's training
    /// images: how FFHQ-like folders are brought to one size without distorting faces).
    /// </summary>
    public static Image LoadSquare(string path, int side)
    {
        using var decoded = Decode(path, out _);
        var s = Math.Min(decoded.Width, decoded.Height);
        using var square = new SKBitmap(new SKImageInfo(s, s, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        if (!decoded.ExtractSubset(square, SKRectI.Create((decoded.Width - s) / 2, (decoded.Height - s) / 2, s, s)))
            throw new InvalidOperationException($"{path}: could not crop a {s}×{s} square");
        return FromBitmap(square, 3, [side, side]);
    }

    /// <summary>
    /// Decodes a whole image file as RGBA. Skia fills what a truncated or damaged file lacks and calls that a success
    /// of sorts (<see cref="SKCodecResult.IncompleteInput"/>); a run must not train on it, so anything but a complete
    /// decode is an error naming the file.
    /// </summary>
    public static SKBitmap Decode(string path, out bool gray)
    {
        using var codec = SKCodec.Create(path, out var opened)
                          ?? throw new InvalidDataException($"{path}: not a PNG or JPEG image Skia can decode ({Describe(opened)})");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
        {
            bitmap.Dispose();
            throw new InvalidDataException($"{path}: {Describe(result)}");
        }
        gray = codec.Info.ColorType == SKColorType.Gray8;
        return bitmap;
    }

    /// <summary>Why Skia could not decode a file, in words.</summary>
    public static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput or SKCodecResult.ErrorInInput => "the image data is truncated or damaged (is the file complete?)",
        SKCodecResult.InvalidInput => "the file is not a valid image",
        SKCodecResult.Unimplemented or SKCodecResult.InvalidConversion => "an image encoding Skia cannot decode",
        _ => $"the image could not be decoded ({result})",
    };

    /// <summary>Encodes an image as PNG (gray for one channel, RGB for three), clamping values to [0, 1].</summary>
    public static byte[] EncodePng(Image image)
    {
        if (image.Channels is not (1 or 3))
            throw new ArgumentException($"can only write 1 or 3 channels, got {image.Channels}");
        var colorType = image.Channels == 1 ? SKColorType.Gray8 : SKColorType.Rgba8888;
        using var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, colorType, SKAlphaType.Opaque));
        var bytes = bitmap.GetPixelSpan();
        var stride = bitmap.RowBytes;
        var bpp = bitmap.BytesPerPixel;
        for (var y = 0; y < image.Height; y++)
        for (var x = 0; x < image.Width; x++)
        {
            var src = (y * image.Width + x) * image.Channels;
            var dst = y * stride + x * bpp;
            if (image.Channels == 1)
                bytes[dst] = ToByte(image.Pixels[src]);
            else
            {
                for (var c = 0; c < 3; c++) bytes[dst + c] = ToByte(image.Pixels[src + c]);
                bytes[dst + 3] = 255;
            }
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>An RGBA bitmap as an image of 1 or 3 channels, resized to [width, height] first when given.</summary>
    public static Image FromBitmap(SKBitmap rgba, int channels, int[]? size)
    {
        if (size is not [var w, var h] || (w == rgba.Width && h == rgba.Height)) return ToImage(rgba, channels);
        var sampling = new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
        using var resized = rgba.Resize(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul), sampling)
                            ?? throw new InvalidOperationException($"could not resize an image of {rgba.Width}×{rgba.Height} to {w}×{h}");
        return ToImage(resized, channels);
    }

    private static Image ToImage(SKBitmap rgba, int channels)
    {
        var span = rgba.GetPixelSpan();
        var stride = rgba.RowBytes;
        var pixels = new float[rgba.Width * rgba.Height * channels];
        for (var y = 0; y < rgba.Height; y++)
        for (var x = 0; x < rgba.Width; x++)
        for (var c = 0; c < channels; c++)
            pixels[(y * rgba.Width + x) * channels + c] = span[y * stride + x * 4 + c] / 255f;
        return new Image(rgba.Width, rgba.Height, channels, pixels);
    }

    private static bool AllChannelsEqual(SKBitmap rgba)
    {
        var span = rgba.GetPixelSpan();
        var stride = rgba.RowBytes;
        for (var y = 0; y < rgba.Height; y++)
        for (var x = 0; x < rgba.Width; x++)
        {
            var i = y * stride + x * 4;
            if (span[i] != span[i + 1] || span[i] != span[i + 2]) return false;
        }
        return true;
    }

    /// <summary>A value in [0, 1] as an 8-bit level (clamped; NaN as 0).</summary>
    internal static byte ToByte(float v) =>
        float.IsNaN(v) ? (byte)0 : (byte)MathF.Round(Math.Clamp(v, 0f, 1f) * 255f);
}
