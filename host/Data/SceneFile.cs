using LoE.Core.Nerf;
using LoE.Host.Config;
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
        var decode = FuncConvert.FromFunc((string path, FSharpOption<Tuple<int, int>> s) =>
            ImageFile.LoadOnWhite(path, s is null ? null : [s.Value.Item1, s.Value.Item2]));
        if (File.Exists(Path.Combine(folder, "transforms_train.json"))) return Blender.load(decode, folder, size, scene.TestEvery);
        if (File.Exists(Path.Combine(folder, "intrinsics.txt"))) return Nsvf.load(decode, folder, size, scene.TestEvery);
        throw new InvalidDataException($"{folder}: neither a NeRF-synthetic scene (transforms_train.json) nor an NSVF one (intrinsics.txt)");
    }
}
