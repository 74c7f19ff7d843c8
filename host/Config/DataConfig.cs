using YamlDotNet.RepresentationModel;
using static LoE.Host.Config.ValueReader;

namespace LoE.Host.Config;

/// <summary><c>data</c>: what a run fits (an image, a video or a scene) or learns to generate (a set of images).</summary>
public sealed record DataConfig : ICheckedSection
{
    public const string GeneratedPrefix = "generated:";

    // How to get data that cannot ship with the repository changes nothing a run computes.
    [Key("how to get data.image, data.video or data.scene when it does not ship; a missing file is then reported (with this text) only when the run starts, so the rest of the file still works",
        InHash = false)]
    public string? Obtain { get; init; }

    [Key("instead of data.image: a folder of frames (sorted by name), a GIF, a video file (decoded by ffmpeg), or generated:pan-zoom:IMAGE (a slow pan and zoom made on the fly)",
        Reader = nameof(ReadVideo))]
    public string? Video { get; init; }

    [Key("instead of data.image: a posed multi-view scene for a radiance field (section D): procedural (made on the fly, no download), or a folder in the NeRF-synthetic (transforms_*.json) or NSVF (intrinsics.txt, pose/, rgb/) layout",
        Reader = nameof(ReadScene))]
    public string? Scene { get; init; }

    [Key("instead of data.image: a set of images for a GAN to learn to generate (section E): fashion-mnist (Debian's dataset-fashion-mnist, 28² padded to 32²), or a folder of PNG/JPEG images, centre-cropped to squares and resized to data.size",
        Reader = nameof(ReadImages))]
    public string? Images { get; init; }

    [Key("instead of data.image: a sound to fit as a 1-D signal (SIREN's audio experiment): a WAV file (channels mixed to mono), or generated:chord (one second at 8 kHz of an A-major chord with a click half-way, made on the fly)",
        Reader = nameof(ReadAudio))]
    public string? Audio { get; init; }

    [Key("data.images: use the first this-many images (name order; 0: all)", AppliesWhen = nameof(IsGan), Min = 0, Max = 10_000_000)]
    public int Count { get; init; }

    [Key("image file (PNG or JPEG), relative to the experiments file's folder; gray images are fitted as 1 channel, others as RGB",
        AppliesWhen = nameof(IsImage), Reader = nameof(ReadImage))]
    public string? Image { get; init; }

    [Key("resize to size×size, or [width, height] (absent: keep the image's size; a procedural scene: 64)", Reader = nameof(ReadSize), Min = 1, Max = Limits.Side)]
    public int[]? Size { get; init; }

    [Key("video: frames to use (generated: how many to make; 16)", AppliesWhen = nameof(IsVideo), Min = 1, Max = Limits.Frames)]
    public int? Frames { get; init; }

    public const string ProceduralScene = "procedural";
    public const string FashionMnist = "fashion-mnist";

    public bool IsVideo => Video is not null;
    public bool IsScene => Scene is not null;
    public bool IsGan => Images is not null;
    public bool IsAudio => Audio is not null;
    public bool IsImage => !IsVideo && !IsScene && !IsGan && !IsAudio;

    /// <summary>The key naming what a run fits: data.image, data.video, data.scene, data.audio or data.images.</summary>
    public string SourceKey => IsGan ? "data.images" : IsScene ? "data.scene" : IsVideo ? "data.video" : IsAudio ? "data.audio" : "data.image";

    /// <summary>A GAN's image side: data.size, else Fashion-MNIST's padded 32.</summary>
    public int Side => Size?[0] ?? 32;

    /// <summary>Full path of <see cref="Images"/>'s folder (null for Fashion-MNIST).</summary>
    public string? ImagesPath(string baseDirectory) =>
        Images is null or FashionMnist ? null : Path.GetFullPath(Path.Combine(baseDirectory, Images));

    /// <summary>The scene folder resolved against <paramref name="baseDirectory"/> (null for the procedural scene).</summary>
    public string? ScenePath(string baseDirectory) =>
        Scene is null or ProceduralScene ? null : Path.GetFullPath(Path.Combine(baseDirectory, Scene));

    /// <summary>Full path of <see cref="Image"/>, resolved against <paramref name="baseDirectory"/>.</summary>
    public string ImagePath(string baseDirectory) => Path.GetFullPath(Path.Combine(baseDirectory, Image!));

    public void Check(ConfigContext c)
    {
        if (IsVideo && IsScene) throw c.Error("data.scene", "a run fits either a video (data.video) or a scene (data.scene), not both");
        if (IsGan && (IsVideo || IsScene))
            throw c.Error("data.images", $"a run either learns to generate images (data.images) or fits {(IsVideo ? "a video (data.video)" : "a scene (data.scene)")}, not both");
        if (IsAudio && (IsVideo || IsScene || IsGan))
            throw c.Error("data.audio", $"a run fits either a sound (data.audio) or {(IsVideo ? "a video (data.video)" : IsScene ? "a scene (data.scene)" : "learns to generate images (data.images)")}, not both");
        if (IsAudio && Size is not null)
            throw c.Error("data.size", "a sound is fitted at its own samples: data.size does not apply to data.audio");
        if (IsGan && Size is null && Images != FashionMnist)
            throw c.Error("data.images", "give data.size, the side the images are cropped and resized to (the paper: 256)");
        if (Size is [var w, var h] && (long)w * h * (Frames ?? 1) is var samples && samples > Limits.Samples)
            throw c.Error(Frames is null ? "data.size" : "data.frames",
                $"{w}×{h}{(Frames is { } f ? $"×{f}" : "")} is {samples} samples; at most {Limits.Samples} fit in memory");
    }

    /// <summary>
    /// A path relative to the experiments file, or one of the names in <paramref name="made"/> (data made on the fly).
    /// A path must exist (<paramref name="exists"/>) unless data.obtain says how to get it: data the user supplies is
    /// checked when the run is prepared, so that `loe list` and the other experiments of the file work without it.
    /// </summary>
    private static string PathOr(string key, ConfigValue v, ConfigContext c, Func<string, bool> exists, Func<string, string> missing, params string[] made)
    {
        var spec = Text(key, v);
        if (made.Contains(spec)) return spec;
        var full = Path.GetFullPath(Path.Combine(c.BaseDirectory, spec));
        return exists(full) || c.Data.Obtain is not null ? spec : throw Error(key, v, missing(full));
    }

    private static object ReadImage(string key, ConfigValue v, ConfigContext c) =>
        PathOr(key, v, c, File.Exists, full =>
        {
            var folder = Path.GetDirectoryName(full);
            var nearby = folder is not null && Directory.Exists(folder)
                ? Suggest.Hint(Path.GetFileName(full), Directory.EnumerateFiles(folder).Select(Path.GetFileName).OfType<string>())
                : "";
            return $"image file not found: {full}{nearby}";
        });

    public const string GeneratedChord = GeneratedPrefix + "chord";

    private static object ReadAudio(string key, ConfigValue v, ConfigContext c) =>
        Text(key, v) is var spec && spec.StartsWith(GeneratedPrefix, StringComparison.Ordinal) && spec != GeneratedChord
            ? throw Error(key, v, $"the one generated sound is {GeneratedChord}, got \"{spec}\"")
            : PathOr(key, v, c, File.Exists, full => $"audio file not found: {full} (or write `{GeneratedChord}` for the chord made on the fly)", GeneratedChord);

    private static object ReadImages(string key, ConfigValue v, ConfigContext c) =>
        PathOr(key, v, c, Directory.Exists, full => $"image folder not found: {full} (or write `{FashionMnist}` for Debian's Fashion-MNIST)", FashionMnist);

    private static object ReadScene(string key, ConfigValue v, ConfigContext c) =>
        PathOr(key, v, c, Directory.Exists, full => $"scene folder not found: {full} (or write `procedural` for the scene made on the fly)", ProceduralScene);

    private static object ReadVideo(string key, ConfigValue v, ConfigContext c)
    {
        var spec = Text(key, v);
        if (!spec.StartsWith(GeneratedPrefix, StringComparison.Ordinal))
            return PathOr(key, v, c, full => File.Exists(full) || Directory.Exists(full), full => $"video not found (a folder of frames, a GIF or a video file): {full}");
        var parts = spec.Split(':', 3);
        if (parts.Length != 3 || parts[1] != "pan-zoom")
            throw Error(key, v, $"expected generated:pan-zoom:IMAGE (a pan and zoom over an image), got \"{spec}\"");
        var image = Path.GetFullPath(Path.Combine(c.BaseDirectory, parts[2]));
        return File.Exists(image) ? spec : throw Error(key, v, $"image file not found: {image}");
    }

    private static object ReadSize(string key, ConfigValue v, ConfigContext _)
    {
        if (v.Node is YamlSequenceNode) return IntList(key, v, entryMin: 1, minCount: 2, maxCount: 2, entryMax: Limits.Side);
        var n = Int(key, v, min: 1, max: Limits.Side);
        return new[] { n, n };
    }
}
