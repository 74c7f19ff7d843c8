namespace LoE.Core.Nerf

open System

/// A pinhole camera in NeRF-synthetic's convention: `Pose` is the 3×4 camera-to-world matrix [R | t] (row-major),
/// the camera looks down its −z axis with +y up and +x right (OpenGL), and `Focal` is in pixels.
type Camera = { Width: int; Height: int; Focal: float; Pose: float[] }

/// Rays as row-major arrays: origins and unit directions [Count; 3] in world units.
type Rays = { Count: int; Origins: float[]; Directions: float[] }

module Camera =
    let private normalise (v: float[]) = let n = sqrt (v |> Array.sumBy (fun x -> x * x)) in v |> Array.map (fun x -> x / n)
    let private cross (a: float[]) (b: float[]) = [| a.[1] * b.[2] - a.[2] * b.[1]; a.[2] * b.[0] - a.[0] * b.[2]; a.[0] * b.[1] - a.[1] * b.[0] |]

    /// The focal length in pixels of a horizontal field of view (NeRF-synthetic's camera_angle_x).
    let focalOfAngle (width: int) (angleX: float) = 0.5 * float width / tan (0.5 * angleX)

    /// The pose of a camera at `eye` looking at `target`, with `up` roughly up.
    let lookAt (eye: float[]) (target: float[]) (up: float[]) : float[] =
        let z = normalise (Array.map2 (-) eye target)
        let x = normalise (cross up z)
        let y = cross z x
        [| x.[0]; y.[0]; z.[0]; eye.[0]
           x.[1]; y.[1]; z.[1]; eye.[1]
           x.[2]; y.[2]; z.[2]; eye.[2] |]

    /// The ray through the centre of pixel (column, row): direction R (u/f, −v/f, −1) with u, v measured from the
    /// image centre, normalised; origin the camera's centre.
    let ray (c: Camera) (column: int) (row: int) : float[] * float[] =
        let p = c.Pose
        let x = (float column + 0.5 - 0.5 * float c.Width) / c.Focal
        let y = -(float row + 0.5 - 0.5 * float c.Height) / c.Focal
        let d = Array.init 3 (fun r -> p.[4 * r] * x + p.[4 * r + 1] * y - p.[4 * r + 2]) |> normalise
        [| p.[3]; p.[7]; p.[11] |], d

    /// Every pixel's ray, row by row.
    let rays (c: Camera) : Rays =
        let n = c.Width * c.Height
        let origins, directions = Array.zeroCreate (3 * n), Array.zeroCreate (3 * n)
        for j in 0 .. n - 1 do
            let o, d = ray c (j % c.Width) (j / c.Width)
            Array.blit o 0 origins (3 * j) 3
            Array.blit d 0 directions (3 * j) 3
        { Count = n; Origins = origins; Directions = directions }

    /// Where a world point lands in the image, in continuous pixel units (the pixel (i, j) spans [i, i+1) × [j, j+1)).
    let project (c: Camera) (point: float[]) : float * float =
        let p = c.Pose
        let rel = Array.init 3 (fun r -> point.[r] - p.[4 * r + 3])
        // Rᵀ (x − t): camera coordinates.
        let cam = Array.init 3 (fun k -> rel.[0] * p.[k] + rel.[1] * p.[4 + k] + rel.[2] * p.[8 + k])
        c.Focal * cam.[0] / -cam.[2] + 0.5 * float c.Width, -c.Focal * cam.[1] / -cam.[2] + 0.5 * float c.Height

    /// The same camera at another resolution (the field of view kept).
    let resized (c: Camera) (width: int) (height: int) = { c with Width = width; Height = height; Focal = c.Focal * float width / float c.Width }

    /// A turntable: `count` cameras on a circle at `elevation` (radians) and `radius` around `centre`, z up.
    let orbit (template: Camera) (centre: float[]) (radius: float) (elevation: float) (count: int) : Camera[] =
        Array.init count (fun k ->
            let a = 2.0 * Math.PI * float k / float count
            let eye = [| centre.[0] + radius * cos elevation * cos a; centre.[1] + radius * cos elevation * sin a; centre.[2] + radius * sin elevation |]
            { template with Pose = lookAt eye centre [| 0.0; 0.0; 1.0 |] })
