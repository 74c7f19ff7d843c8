namespace LoE.Core.Nerf

open System
open System.IO
open System.Text.Json
open LoE.Core

/// A scene's file is missing or wrong; the message names the file (and the frame).
exception SceneDataException of message: string
    with override this.Message = this.message

/// Where a NeRF-synthetic scene's box comes from (scene.box).
type SceneBox =
    /// Centre 0, scale 1/3: NeRF-synthetic's documented [−1.5, 1.5]³.
    | Fixed = 0
    /// The scene's own bounds, carved from its training views' alpha masks (Blender.carve).
    | Fitted = 1

/// NeRF-synthetic ("Blender") scenes: `transforms_{train,test}.json` with `camera_angle_x` and per frame a
/// `file_path` (without ".png") and a 4×4 camera-to-world `transform_matrix` (OpenGL convention, as Camera),
/// RGBA images composited on white. Rays between 2 and 6 (NeRF's published settings); the objects lie within
/// [−1.5, 1.5]³, scaled by 1/3 into the paper's [−0.5, 0.5]³.
module Blender =
    let private fail (msg: string) = raise (SceneDataException msg)

    /// RGBA pixels composited on a background: c·a + bg·(1 − a).
    let composite (background: float[]) (rgba: Image) : Image =
        if rgba.Channels = 3 then rgba
        else
            let n = rgba.Width * rgba.Height
            let px = Array.init (3 * n) (fun i ->
                let j, c = i / 3, i % 3
                let a = rgba.Pixels.[4 * j + 3]
                rgba.Pixels.[4 * j + c] * a + float32 background.[c] * (1.0f - a))
            { Width = rgba.Width; Height = rgba.Height; Channels = 3; Pixels = px }

    /// The views of one split, read through `files`; `every` keeps every k-th frame (1: all).
    let split (files: SceneFiles) (folder: string) (name: string) (size: (int * int) option) (every: int) : View[] =
        let file = Path.Combine(folder, $"transforms_{name}.json")
        if not (files.FileExists file) then fail $"{file}: not found (a NeRF-synthetic scene folder holds transforms_train.json and transforms_test.json)"
        use doc =
            try JsonDocument.Parse(files.ReadText file)
            with :? JsonException as e -> fail $"{file}: not valid JSON ({e.Message})"
        let root = doc.RootElement
        let angle =
            match root.TryGetProperty "camera_angle_x" with
            | true, v when v.ValueKind = JsonValueKind.Number -> v.GetDouble()
            | _ -> fail $"{file}: no number camera_angle_x"
        let frames =
            match root.TryGetProperty "frames" with
            | true, v when v.ValueKind = JsonValueKind.Array -> v.EnumerateArray() |> Array.ofSeq
            | _ -> fail $"{file}: no frames list"
        let views =
            frames |> Array.indexed |> Array.filter (fun (i, _) -> i % max 1 every = 0) |> Array.map (fun (i, f) ->
                let where = $"{file}, frame {i}"
                let path =
                    match f.TryGetProperty "file_path" with
                    | true, v when v.ValueKind = JsonValueKind.String -> v.GetString()
                    | _ -> fail $"{where}: no file_path"
                let image = Path.GetFullPath(Path.Combine(folder, (if Path.HasExtension path then path else path + ".png")))
                if not (files.FileExists image) then fail $"{where}: its image {image} is missing"
                let m =
                    match f.TryGetProperty "transform_matrix" with
                    | true, v when v.ValueKind = JsonValueKind.Array && v.GetArrayLength() = 4 ->
                        v.EnumerateArray() |> Seq.collect (fun row ->
                            if row.ValueKind <> JsonValueKind.Array || row.GetArrayLength() <> 4 then fail $"{where}: transform_matrix is not 4×4"
                            row.EnumerateArray() |> Seq.map (fun x -> x.GetDouble())) |> Array.ofSeq
                    | _ -> fail $"{where}: no 4×4 transform_matrix"
                let pose = m.[.. 11]
                // The rotation part must be invertible (a camera-to-world matrix is a rotation and a translation).
                let det =
                    pose.[0] * (pose.[5] * pose.[10] - pose.[6] * pose.[9]) - pose.[1] * (pose.[4] * pose.[10] - pose.[6] * pose.[8])
                    + pose.[2] * (pose.[4] * pose.[9] - pose.[5] * pose.[8])
                if not (Double.IsFinite det) || abs det < 1e-6 then fail $"{where}: transform_matrix is not invertible (det {det:G3})"
                let img = composite [| 1.0; 1.0; 1.0 |] (files.Decode image size)
                { Camera = { Width = img.Width; Height = img.Height; Focal = Camera.focalOfAngle img.Width angle; Pose = pose }; Image = img }, image)
        match views |> Array.tryFind (fun (v, _) -> v.Image.Width <> (fst views.[0]).Image.Width || v.Image.Height <> (fst views.[0]).Image.Height) with
        | Some(v, path) -> fail $"{path}: {v.Image.Width}×{v.Image.Height}, but {snd views.[0]} is {(fst views.[0]).Image.Width}×{(fst views.[0]).Image.Height}"
        | None -> views |> Array.map fst

    /// Voxels per side of `fit`'s grid over [−1.5, 1.5]³ (a voxel of 3/64 ≈ 0.047 world units).
    [<Literal>]
    let FitVoxels = 64

    /// scene.box fitted: the scene's bounds [low; high] from its training views'
    /// alpha masks (`masks`: each view's image holds its alpha in every channel), by space carving on a FitVoxels³
    /// grid over NeRF-synthetic's documented [−1.5, 1.5]³ (the visual hull): a voxel stays when at least one view sees
    /// it and every view that sees it has some alpha in the 3×3 pixels around its centre's projection (so an object
    /// voxel is never carved by a silhouette's edge pixel). A view sees a voxel in front of it that projects into its
    /// image, and, when its mask leaves the image's border clear (the object wholly in frame, as in NeRF-synthetic),
    /// also one that projects outside it, which is then empty: cameras on one hemisphere whose field of view barely
    /// holds the cube could not carve its corners otherwise. The box is that of the voxels left, their centres widened
    /// by 1.5 voxels (half a voxel and one of margin). No geometry beyond the masks that ship with the images.
    let carve (masks: View[]) : float[] * float[] =
        let n, lo = FitVoxels, -1.5
        let h = 3.0 / float n
        let clearBorder (v: View) =
            let img = v.Image
            let at i j = img.Pixels.[(j * img.Width + i) * img.Channels] > 0f
            not (Seq.exists (fun i -> at i 0 || at i (img.Height - 1)) [ 0 .. img.Width - 1 ]
                 || Seq.exists (fun j -> at 0 j || at (img.Width - 1) j) [ 0 .. img.Height - 1 ])
        let framed = masks |> Array.map clearBorder
        let covered (m: int) (x: float[]) =
            let v = masks.[m]
            let p = v.Camera.Pose
            let rel = Array.init 3 (fun r -> x.[r] - p.[4 * r + 3])
            let depth = -(rel.[0] * p.[2] + rel.[1] * p.[6] + rel.[2] * p.[10])
            if depth <= 0.0 then None
            else
                let u, w = Camera.project v.Camera x
                let i, j = int (floor u), int (floor w)
                let img = v.Image
                if i < 0 || j < 0 || i >= img.Width || j >= img.Height then (if framed.[m] then Some false else None)
                else
                    let mutable any = false
                    for dj in -1 .. 1 do
                        for di in -1 .. 1 do
                            let a, b = i + di, j + dj
                            if a >= 0 && b >= 0 && a < img.Width && b < img.Height && img.Pixels.[(b * img.Width + a) * img.Channels] > 0f then any <- true
                    Some any
        let kept =
            [| for k in 0 .. n - 1 do
                 for j in 0 .. n - 1 do
                     for i in 0 .. n - 1 do
                         let x = [| lo + (float i + 0.5) * h; lo + (float j + 0.5) * h; lo + (float k + 0.5) * h |]
                         let mutable seen, empty, m = false, false, 0
                         while not empty && m < masks.Length do
                             match covered m x with
                             | Some true -> seen <- true
                             | Some false -> empty <- true
                             | None -> ()
                             m <- m + 1
                         if seen && not empty then yield x |]
        if kept.Length = 0 then fail "scene.box fitted: the training views' alpha masks leave nothing of [−1.5, 1.5]³ (are the images RGBA?)"
        let low = Array.init 3 (fun a -> (kept |> Array.map (fun x -> x.[a]) |> Array.min) - 1.5 * h)
        let high = Array.init 3 (fun a -> (kept |> Array.map (fun x -> x.[a]) |> Array.max) + 1.5 * h)
        low, high

    /// The centre and scale of `carve`'s box: its midpoint, and one over its longest side.
    let fit (masks: View[]) : float[] * float =
        let low, high = carve masks
        Array.map2 (fun a b -> 0.5 * (a + b)) low high, 1.0 / (Array.map2 (fun a b -> b - a) low high |> Array.max)

    /// A scene from a NeRF-synthetic folder: its train split for training and every `testEvery`-th test view.
    let load (files: SceneFiles) (folder: string) (size: (int * int) option) (testEvery: int) : Scene =
        { Name = Path.GetFileName(Path.GetFullPath(folder).TrimEnd('/'))
          Train = split files folder "train" size 1
          Test = split files folder "test" size testEvery
          Near = 2.0; Far = 6.0; Background = [| 1.0; 1.0; 1.0 |]; Centre = [| 0.0; 0.0; 0.0 |]; Scale = 1.0 / 3.0 }
