using LoE.Core.Gan;

namespace LoE.Host.Data;

/// <summary>A GAN's training images (data.images): Fashion-MNIST from Debian's package, or a folder of images.</summary>
public static class GanImages
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];

    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package puts the training images.</summary>
    private const string FashionMnistFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>
    /// The images, all side × side: Fashion-MNIST's 28² centred on a black side² canvas (1 channel), or every
    /// PNG/JPEG of the folder in name order, centre-cropped and resized (RGB); the first data.count of them when given.
    /// </summary>
    public static Image[] Load(DataConfig data, string baseDirectory)
    {
        var side = data.Side;
        if (data.Images == DataConfig.FashionMnist)
        {
            var all = FashionMnist(FashionMnistFolder, side);
            return data.Count > 0 ? all[..Math.Min(data.Count, all.Length)] : all;
        }
        var folder = data.ImagesPath(baseDirectory)!;
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"image folder not found: {folder}");
        var files = Directory.EnumerateFiles(folder)
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count < 2) throw new InvalidDataException($"{folder}: {files.Count} PNG/JPEG images; a GAN needs at least 2");
        if (data.Count > 0) files = files.Take(data.Count).ToList();
        // Training images are held in memory as float32 (FFHQ's 70k at 256² take 51 GiB): refuse before decoding.
        var bytes = 4L * side * side * 3 * files.Count;
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (bytes > available * 3 / 4)
            throw new InvalidDataException(
                $"{folder}: {files.Count} images of {side}² RGB take {bytes >> 30} GiB as float32, more than this machine's memory allows " +
                $"({available >> 30} GiB); use the first few with data.count, or a smaller data.size");
        var images = new Image[files.Count];
        // Decoding is most of the load time; every image is independent.
        try
        {
            Parallel.For(0, files.Count, i => images[i] = ImageFile.LoadSquare(files[i], side));
        }
        catch (AggregateException e)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
        return images;
    }

    /// <summary>Fashion-MNIST's 60000 training images, padded to side × side, from <paramref name="folder"/> (plain or
    /// gzipped IDX); when neither file is there, the error says how to install them.</summary>
    public static Image[] FashionMnist(string folder, int side)
    {
        var plain = Path.Combine(folder, "train-images-idx3-ubyte");
        var path = new[] { plain, plain + ".gz" }.FirstOrDefault(File.Exists) ?? throw new FileNotFoundException(
            $"Fashion-MNIST's training images are not in {folder} (looked for train-images-idx3-ubyte and .gz). " +
            "Install them with `sudo apt-get install dataset-fashion-mnist`, or point the data folder at a copy of the IDX files.", plain);
        return Idx.images(path, side, File.ReadAllBytes(path));
    }
}
