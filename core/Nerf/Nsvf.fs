namespace LoE.Core.Nerf

open System
open System.Globalization
open System.IO
open LoE.Core

/// NSVF's layout (the paper's Tanks and Temples scenes): `intrinsics.txt` (a 4×4 matrix [fx 0 cx 0; 0 fy cy 0; ...]
/// or DeepVoxels' first line "f cx cy ..."), `pose/NAME.txt` (a 4×4 camera-to-world matrix, OpenCV convention:
/// +x right, +y down, looking down +z), `rgb/NAME.png` with NAME starting `0_` (train), `1_` (validation) or `2_`
/// (test), and `bbox.txt` ("x0 y0 z0 x1 y1 z1 ..."), the box the scene is scaled from into [−0.5, 0.5]³.
module Nsvf =
    let private fail (msg: string) = raise (SceneDataException msg)

    let private numbers (files: SceneFiles) (file: string) =
        if not (files.FileExists file) then fail $"{file}: not found (an NSVF scene folder holds intrinsics.txt, bbox.txt, pose/ and rgb/)"
        (files.ReadText file).Split([| '\r'; '\n' |])
        |> Array.filter (fun l -> l.Trim().Length > 0)
        |> Array.map (fun l ->
            l.Split([| ' '; '\t'; ',' |], StringSplitOptions.RemoveEmptyEntries)
            |> Array.map (fun s ->
                match Double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture) with
                | true, v when Double.IsFinite v -> v
                | _ -> fail $"{file}: \"{s}\" is not a number"))

    /// fx, fy, cx, cy in the pixels of the original images.
    let intrinsics (files: SceneFiles) (file: string) =
        match numbers files file with
        | [| r0; r1; _; _ |] when r0.Length >= 3 && r1.Length >= 3 -> r0.[0], r1.[1], r0.[2], r1.[2]
        | rows when rows.Length > 0 && rows.[0].Length >= 3 -> rows.[0].[0], rows.[0].[0], rows.[0].[1], rows.[0].[2]
        | _ -> fail $"{file}: expected a 4×4 matrix or a first line \"f cx cy\""

    /// A camera-to-world matrix in OpenCV's convention as our OpenGL-convention 3×4 pose: the camera's y and z axes
    /// flip (its columns 1 and 2 change sign), its centre stays.
    let private pose (files: SceneFiles) (file: string) =
        let m = numbers files file |> Array.concat
        if m.Length < 12 then fail $"{file}: expected a 4×4 camera-to-world matrix, got {m.Length} numbers"
        let p = Array.init 12 (fun i -> if i % 4 = 1 || i % 4 = 2 then -m.[i] else m.[i])
        let det =
            p.[0] * (p.[5] * p.[10] - p.[6] * p.[9]) - p.[1] * (p.[4] * p.[10] - p.[6] * p.[8]) + p.[2] * (p.[4] * p.[9] - p.[5] * p.[8])
        if not (Double.IsFinite det) || abs det < 1e-6 then fail $"{file}: the matrix is not invertible (det {det:G3})"
        p

    /// The views whose names start with `prefix` ("0_", "1_", "2_"); images resized to `size` when given, every
    /// `every`-th kept. A pose without an image (or an image without a pose) is an error naming the file.
    let split (files: SceneFiles) (folder: string) (prefix: string) (size: (int * int) option) (every: int) : View[] =
        let fx, fy, cx, cy = intrinsics files (Path.Combine(folder, "intrinsics.txt"))
        let poses = Path.Combine(folder, "pose")
        let images = Path.Combine(folder, "rgb")
        for d in [ poses; images ] do
            if not (files.FolderExists d) then fail $"{d}: not found (an NSVF scene folder holds pose/ and rgb/)"
        let named (dir: string) =
            files.List dir |> Array.filter (fun f -> Path.GetFileName(f).StartsWith(prefix, StringComparison.Ordinal))
            |> Array.map (fun f -> Path.GetFileNameWithoutExtension f, f) |> Map.ofArray
        let poseFiles, imageFiles = named poses, named images
        for KeyValue(name, f) in poseFiles do
            if not (imageFiles.ContainsKey name) then fail $"{f}: a pose without an image (no rgb/{name}.png)"
        for KeyValue(name, f) in imageFiles do
            if not (poseFiles.ContainsKey name) then fail $"{f}: an image without a pose (no pose/{name}.txt)"
        // One focal length and a centred principal point is the camera model the renderer has.
        if abs (fx - fy) > 0.01 * fx then fail $"{folder}/intrinsics.txt: fx {fx} and fy {fy} differ; square pixels only"
        if poseFiles.IsEmpty then fail $"{images}: no images named {prefix}*"
        let chosen = poseFiles |> Map.toArray |> Array.indexed |> Array.filter (fun (i, _) -> i % max 1 every = 0) |> Array.map snd
        // The intrinsics describe the images as stored. Resized on load, only the first is also read at its own
        // size (to check them and scale the focal length), rather than every image twice.
        let stored = lazy (let i = files.Decode imageFiles.[fst chosen.[0]] None in i.Width, i.Height)
        let views =
            chosen |> Array.map (fun (name, poseFile) ->
                let imageFile = imageFiles.[name]
                let decoded = files.Decode imageFile size
                let width, height = if size.IsNone then decoded.Width, decoded.Height else stored.Force()
                if abs (cx - 0.5 * float width) > 0.01 * float width || abs (cy - 0.5 * float height) > 0.01 * float height then
                    fail $"{folder}/intrinsics.txt: principal point ({cx}, {cy}) is not the centre of {imageFile} ({width}×{height})"
                let img = Blender.composite [| 1.0; 1.0; 1.0 |] decoded
                let camera = { Width = width; Height = height; Focal = fx; Pose = pose files poseFile }
                { Camera = Camera.resized camera img.Width img.Height; Image = img }, imageFile)
        let first, firstFile = views.[0]
        match views |> Array.tryFind (fun (v, _) -> v.Image.Width <> first.Image.Width || v.Image.Height <> first.Image.Height) with
        | Some(v, path) -> fail $"{path}: {v.Image.Width}×{v.Image.Height}, but {firstFile} is {first.Image.Width}×{first.Image.Height}"
        | None -> views |> Array.map fst

    /// A scene from an NSVF folder: `0_` views train, `2_` views (or, when there are none, `1_`) test. The box of
    /// bbox.txt is scaled isotropically into [−0.5, 0.5]³; near and far bound it from every camera.
    let load (files: SceneFiles) (folder: string) (size: (int * int) option) (testEvery: int) : Scene =
        let bboxFile = Path.Combine(folder, "bbox.txt")
        let box = numbers files bboxFile |> Array.concat
        if box.Length < 6 then fail $"{bboxFile}: expected x0 y0 z0 x1 y1 z1"
        let lo, hi = box.[0..2], box.[3..5]
        if Array.exists2 (fun a b -> not (b > a)) lo hi then fail $"{bboxFile}: the box is empty (each of x1 y1 z1 must exceed x0 y0 z0)"
        let centre = Array.map2 (fun a b -> 0.5 * (a + b)) lo hi
        let extent = Array.map2 (-) hi lo |> Array.max
        let train = split files folder "0_" size 1
        let rgb = Path.Combine(folder, "rgb")
        let hasTest = files.FolderExists rgb && files.List rgb |> Array.exists (fun f -> Path.GetFileName(f).StartsWith("2_", StringComparison.Ordinal))
        let test = split files folder (if hasTest then "2_" else "1_") size testEvery
        let radius = 0.5 * sqrt (Array.map2 (fun a b -> (b - a) * (b - a)) lo hi |> Array.sum)
        let distances =
            Array.append train test |> Array.map (fun v ->
                let p = v.Camera.Pose
                sqrt ((p.[3] - centre.[0]) ** 2.0 + (p.[7] - centre.[1]) ** 2.0 + (p.[11] - centre.[2]) ** 2.0))
        { Name = Path.GetFileName(Path.GetFullPath(folder).TrimEnd('/'))
          Train = train; Test = test
          Near = max (0.01 * radius) (Array.min distances - radius); Far = Array.max distances + radius
          Background = [| 1.0; 1.0; 1.0 |]; Centre = centre; Scale = 1.0 / extent }
