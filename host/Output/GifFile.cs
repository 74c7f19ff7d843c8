using LoE.Host.Data;
using CoreImage = LoE.Core.Image;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.PixelFormats;

namespace LoE.Host.Output;

/// <summary>Animated GIFs of RGB frames (turntables), looping, each frame with its own palette.</summary>
public static class GifFile
{
    public static byte[] Encode(IReadOnlyList<CoreImage> frames, int frameMilliseconds = 80)
    {
        if (frames.Count == 0 || frames.Any(f => f.Channels != 3 || f.Width != frames[0].Width || f.Height != frames[0].Height))
            throw new ArgumentException("a GIF needs RGB frames of one size");
        using var gif = new Image<Rgb24>(frames[0].Width, frames[0].Height);
        gif.Metadata.GetGifMetadata().RepeatCount = 0; // forever
        foreach (var frame in frames)
        {
            using var image = new Image<Rgb24>(frame.Width, frame.Height);
            for (var y = 0; y < frame.Height; y++)
            for (var x = 0; x < frame.Width; x++)
            {
                var i = 3 * (y * frame.Width + x);
                image[x, y] = new Rgb24(ImageFile.ToByte(frame.Pixels[i]), ImageFile.ToByte(frame.Pixels[i + 1]), ImageFile.ToByte(frame.Pixels[i + 2]));
            }
            image.Frames.RootFrame.Metadata.GetGifMetadata().FrameDelay = frameMilliseconds / 10; // hundredths of a second
            gif.Frames.AddFrame(image.Frames.RootFrame);
        }
        gif.Frames.RemoveFrame(0); // the blank frame the image was created with
        using var stream = new MemoryStream();
        gif.SaveAsGif(stream, new GifEncoder { ColorTableMode = GifColorTableMode.Local });
        return stream.ToArray();
    }
}
