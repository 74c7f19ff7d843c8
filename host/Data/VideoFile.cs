using System.Diagnostics;
using SkiaSharp;

namespace LoE.Host.Data;

/// <summary>
/// Videos as the core's <see cref="Signal"/> of size [width, height, frames] (RGB, values in [0, 1], x fastest,
/// then y, then the frame): from a folder of frames, an animated GIF, a video file through ffmpeg, or generated
/// from an image (<c>generated:pan-zoom:IMAGE</c>, a slow pan and zoom, so a fresh clone has a video to fit).
/// </summary>
public static class VideoFile
{
    private static readonly string[] FrameExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".webp"];

    /// <summary>
    /// Loads <paramref name="spec"/> (relative to <paramref name="baseDirectory"/>); <paramref name="size"/> =
    /// [width, height] resizes every frame, <paramref name="frames"/> keeps the first frames (generated: makes that many).
    /// </summary>
    public static Signal Load(string spec, string baseDirectory, int[]? size, int? frames)
    {
        if (spec.StartsWith("generated:pan-zoom:", StringComparison.Ordinal))
            return PanZoom(Path.GetFullPath(Path.Combine(baseDirectory, spec["generated:pan-zoom:".Length..])), size ?? [64, 64], frames ?? 16);
        var path = Path.GetFullPath(Path.Combine(baseDirectory, spec));
        if (Directory.Exists(path)) return FromFolder(path, size, frames);
        if (!File.Exists(path)) throw new FileNotFoundException($"video not found: {path}", path);
        return Path.GetExtension(path).ToLowerInvariant() == ".gif" ? FromGif(path, size, frames) : FromFfmpeg(path, size, frames);
    }

    /// <summary>Frames of equal size stacked into one signal (RGB).</summary>
    public static Signal Stack(IReadOnlyList<Image> images)
    {
        if (images.Count == 0) throw new InvalidDataException("the video has no frames");
        var (w, h) = (images[0].Width, images[0].Height);
        var values = new float[w * h * 3 * images.Count];
        for (var f = 0; f < images.Count; f++)
        {
            var im = images[f];
            if (im.Width != w || im.Height != h)
                throw new InvalidDataException($"frame {f} is {im.Width}×{im.Height}, the first frame {w}×{h}; give data.size to resize them all");
            for (var i = 0; i < w * h; i++)
            for (var c = 0; c < 3; c++)
                values[(f * w * h + i) * 3 + c] = im.Pixels[i * im.Channels + (im.Channels == 1 ? 0 : c)];
        }
        return new Signal([w, h, images.Count], 3, values);
    }

    private static Signal FromFolder(string folder, int[]? size, int? frames)
    {
        var files = Directory.EnumerateFiles(folder)
            .Where(f => FrameExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new InvalidDataException($"{folder}: no frames (PNG or JPEG files) in the folder");
        return Stack(files.Take(frames ?? int.MaxValue).Select(f => ImageFile.Load(f, size)).ToList());
    }

    /// <summary>Every frame of a GIF, composed onto the frames it depends on, as SKCodec decodes them.</summary>
    private static Signal FromGif(string path, int[]? size, int? frames)
    {
        using var codec = SKCodec.Create(path) ?? throw new InvalidDataException($"{path}: not a GIF Skia can decode");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var count = Math.Min(Math.Max(codec.FrameCount, 1), frames ?? int.MaxValue);
        var decoded = new List<SKBitmap>();
        try
        {
            for (var f = 0; f < count; f++)
            {
                var bitmap = new SKBitmap(info);
                var required = codec.FrameCount > 0 ? codec.FrameInfo[f].RequiredFrame : -1;
                if (required >= 0) decoded[required].CopyTo(bitmap);
                var result = codec.GetPixels(info, bitmap.GetPixels(), new SKCodecOptions(f, required));
                if (result != SKCodecResult.Success)
                {
                    bitmap.Dispose();
                    throw new InvalidDataException($"{path}: frame {f}: {ImageFile.Describe(result)}");
                }
                decoded.Add(bitmap);
            }
            return Stack(decoded.Select(b => ImageFile.FromBitmap(b, 3, size)).ToList());
        }
        finally
        {
            foreach (var b in decoded) b.Dispose();
        }
    }

    /// <summary>Any video ffmpeg reads, as raw RGB frames on its standard output.</summary>
    private static Signal FromFfmpeg(string path, int[]? size, int? frames)
    {
        var (w, h) = size is [var sw, var sh] ? (sw, sh) : Probe(path);
        var args = new List<string> { "-v", "error", "-i", path, "-vf", $"scale={w}:{h}:flags=area" };
        if (frames is { } n) args.AddRange(["-frames:v", n.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        args.AddRange(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]);
        using var process = Start("ffmpeg", args);
        using var buffer = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(buffer);
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidDataException($"{path}: ffmpeg failed: {errors.Trim()}");
        var bytes = buffer.ToArray();
        var frameBytes = w * h * 3;
        var count = bytes.Length / frameBytes;
        if (count == 0) throw new InvalidDataException($"{path}: ffmpeg decoded no frames");
        var values = new float[count * frameBytes];
        for (var i = 0; i < values.Length; i++) values[i] = bytes[i] / 255f;
        return new Signal([w, h, count], 3, values);
    }

    private static (int, int) Probe(string path)
    {
        using var process = Start("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", path]);
        var text = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        var parts = text.Split(',');
        if (process.ExitCode != 0 || parts.Length < 2 || !int.TryParse(parts[0], out var w) || !int.TryParse(parts[1], out var h))
            throw new InvalidDataException($"{path}: ffprobe could not read the video's size; give data.size");
        return (w, h);
    }

    private static Process Start(string tool, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException($"could not start {tool}");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidDataException(
                $"decoding video files needs {tool} on the PATH (e.g. apt-get install ffmpeg); without it, give a folder of frames or a GIF");
        }
    }

    /// <summary>
    /// A slow pan and zoom over an image: frame f shows a square window whose side shrinks from 80% to 50% of the
    /// image's shorter side while its centre moves diagonally, resampled to width × height with linear filtering.
    /// Deterministic, so it is a reproducible default video.
    /// </summary>
    public static Signal PanZoom(string imagePath, int[] size, int frames)
    {
        using var source = ImageFile.Decode(imagePath, out _);
        var (w, h) = (size[0], size[1]);
        var side = Math.Min(source.Width, source.Height);
        var images = new List<Image>();
        using var image = SKImage.FromBitmap(source);
        for (var f = 0; f < frames; f++)
        {
            var t = frames == 1 ? 0.0 : f / (double)(frames - 1);
            var window = side * (0.8 - 0.3 * t);
            var cx = source.Width * (0.42 + 0.16 * t);
            var cy = source.Height * (0.40 + 0.12 * t);
            var src = SKRect.Create((float)(cx - window / 2), (float)(cy - window / 2), (float)window, (float)window);
            using var frame = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul));
            using (var canvas = new SKCanvas(frame))
            {
                canvas.Clear(SKColors.Black);
                canvas.DrawImage(image, src, SKRect.Create(0, 0, w, h), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
            }
            images.Add(ImageFile.FromBitmap(frame, 3, null));
        }
        return Stack(images);
    }
}
