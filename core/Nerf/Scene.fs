namespace LoE.Core.Nerf

open LoE.Core

/// One posed image: its camera and its RGB pixels (row-major, interleaved, values in [0, 1]).
type View = { Camera: Camera; Image: Image }

/// A posed multi-view scene. `Centre` and `Scale` map it into the paper's box: x ↦ (x − Centre)·Scale lies in
/// [−0.5, 0.5]³ for everything that matters, and the expert grids and the encodings see p = that + 0.5 ∈ [0, 1]³.
/// Rays are sampled between `Near` and `Far` (world units along unit directions); pixels a ray misses show
/// `Background`.
type Scene =
    { Name: string; Train: View[]; Test: View[]; Near: float; Far: float; Background: float[]; Centre: float[]; Scale: float }

module Scene =
    /// Rays of a set of views in grid coordinates: origins p = (o − Centre)·Scale + 0.5, directions d·Scale (so the
    /// same distance t reaches the same point), unit world directions for the colour branch, and the pixels.
    type GridRays = { Count: int; Origins: float[]; Directions: float[]; ViewDirections: float[]; Colours: float[] }

    let gridRays (scene: Scene) (views: View[]) : GridRays =
        let parts =
            views |> Array.map (fun v ->
                let r = Camera.rays v.Camera
                let origins = r.Origins |> Array.mapi (fun i x -> (x - scene.Centre.[i % 3]) * scene.Scale + 0.5)
                r, origins, r.Directions |> Array.map (fun x -> x * scene.Scale), v.Image.Pixels |> Array.map float)
        { Count = parts |> Array.sumBy (fun (r, _, _, _) -> r.Count)
          Origins = parts |> Array.collect (fun (_, o, _, _) -> o)
          Directions = parts |> Array.collect (fun (_, _, d, _) -> d)
          ViewDirections = parts |> Array.collect (fun (r, _, _, _) -> r.Directions)
          Colours = parts |> Array.collect (fun (_, _, _, c) -> c) }

    /// A turntable: `count` cameras of `width`×`height` with the test views' field of view, on a circle around the
    /// scene's centre at the median distance and elevation of its cameras, about the z axis (NeRF-synthetic's up; an
    /// NSVF scene with another up axis gets a tilted orbit).
    let turntable (scene: Scene) (width: int) (height: int) (count: int) : Camera[] =
        let views = Array.append scene.Test scene.Train
        let median (xs: float[]) = let s = Array.sort xs in s.[s.Length / 2]
        let offsets = views |> Array.map (fun v -> let p = v.Camera.Pose in [| p.[3] - scene.Centre.[0]; p.[7] - scene.Centre.[1]; p.[11] - scene.Centre.[2] |])
        let radius = offsets |> Array.map (fun o -> sqrt (o.[0] * o.[0] + o.[1] * o.[1] + o.[2] * o.[2])) |> median
        let elevation = offsets |> Array.map (fun o -> asin (o.[2] / sqrt (o.[0] * o.[0] + o.[1] * o.[1] + o.[2] * o.[2]))) |> median
        Camera.orbit (Camera.resized views.[0].Camera width height) scene.Centre radius elevation count
