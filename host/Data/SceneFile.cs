using LoE.Core.Nerf;
using Microsoft.FSharp.Core;

namespace LoE.Host.Data;

/// <summary>The scene of data.scene: made on the fly (procedural) or read from a NeRF-synthetic or NSVF folder.</summary>
public static class SceneFile
{
    /// <summary>A procedural scene's side in pixels when data.size does not say.</summary>
    public const int ProceduralSide = 64;

    public static Scene Load(ResolvedConfig c)
    {
        var (data, scene) = (c.Data, c.Scene);
        if (data.ScenePath(c.BaseDirectory) is not { } folder)
        {
            var side = data.Size?[0] ?? ProceduralSide;
            if (data.Size is [var w, var h] && w != h)
                throw new InvalidDataException($"the procedural scene's views are square: give data.size as one number, got [{w}, {h}]");
            return Procedural.scene(side, scene.Views, scene.HoldOut);
        }
        if (!Directory.Exists(folder)) throw new FileNotFoundException($"scene folder not found: {folder}");
        var size = data.Size is [var sw, var sh] ? FSharpOption<Tuple<int, int>>.Some(Tuple.Create(sw, sh)) : FSharpOption<Tuple<int, int>>.None;
        // A scene's views share one stored size (one camera model): resizing views of several sizes to data.size
        // would bend each one's aspect ratio and focal length, so they are refused at their first odd file.
        (string Path, int Width, int Height)? first = null;
        var files = Disk((path, s) =>
        {
            var (w, h) = ImageFile.StoredSize(path);
            first ??= (path, w, h);
            if ((w, h) != (first.Value.Width, first.Value.Height))
                throw new SceneDataException($"{path}: {w}×{h}, but {first.Value.Path} is {first.Value.Width}×{first.Value.Height}; a scene's views must share one size");
            return ImageFile.LoadOnWhite(path, s);
        });
        var fitted = scene.Box == SceneBox.Fitted;
        if (File.Exists(Path.Combine(folder, "transforms_train.json")))
        {
            var loaded = Blender.load(files, folder, size, scene.TestEvery);
            if (!fitted) return loaded;
            var masks = Blender.split(Disk(ImageFile.LoadAlpha), folder, "train", size, 1);
            var (centre, scale) = Blender.fit(masks);
            return new Scene(loaded.Name, loaded.Train, loaded.Test, loaded.Near, loaded.Far, loaded.Background, centre, scale);
        }
        if (File.Exists(Path.Combine(folder, "intrinsics.txt")))
        {
            if (fitted) throw new SceneDataException($"{folder}: scene.box fitted is for NeRF-synthetic scenes; an NSVF scene's box is its bbox.txt");
            return Nsvf.load(files, folder, size, scene.TestEvery);
        }
        throw new InvalidDataException($"{folder}: neither a NeRF-synthetic scene (transforms_train.json) nor an NSVF one (intrinsics.txt)");
    }

    /// What the core's scene loaders read: this disk's files, and images through <paramref name="decode"/>
    /// (a path and, when given, the [width, height] to resize to).
    public static SceneFiles Disk(Func<string, int[]?, Image> decode) => new(
        FuncConvert.FromFunc<string, bool>(File.Exists),
        FuncConvert.FromFunc<string, bool>(Directory.Exists),
        FuncConvert.FromFunc<string, string>(File.ReadAllText),
        FuncConvert.FromFunc<string, string[]>(Directory.GetFiles),
        FuncConvert.FromFunc((string path, FSharpOption<Tuple<int, int>> s) => decode(path, s is null ? null : [s.Value.Item1, s.Value.Item2])));
}
