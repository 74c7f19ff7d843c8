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
