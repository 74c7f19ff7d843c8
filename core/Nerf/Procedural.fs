namespace LoE.Core.Nerf

open System
open LoE.Core

/// The default scene, made by the project's own code so that NeRF runs need no download: coloured primitives
/// inside [−0.5, 0.5]³ (z up), ray-traced analytically with Lambertian shading and a white background, seen by
/// cameras on the upper hemisphere looking at the origin, as NeRF-synthetic's are. One sphere is checkered, so
/// the scene has detail finer than its shapes.
module Procedural =
    type private Shape =
        | Sphere of centre: float[] * radius: float
        | Box of lo: float[] * hi: float[]

    type private Primitive = { Shape: Shape; Colour: float[]; Checker: float }

    let private primitives =
        [ { Shape = Sphere([| -0.14; 0.02; -0.12 |], 0.2); Colour = [| 0.85; 0.2; 0.15 |]; Checker = 10.0 }
          { Shape = Sphere([| 0.2; 0.16; -0.18 |], 0.12); Colour = [| 0.2; 0.7; 0.25 |]; Checker = 0.0 }
          { Shape = Box([| 0.02; -0.34; -0.32 |], [| 0.3; -0.06; -0.04 |]); Colour = [| 0.2; 0.35; 0.85 |]; Checker = 0.0 }
          { Shape = Box([| -0.4; -0.4; -0.38 |], [| 0.4; 0.4; -0.32 |]); Colour = [| 0.9; 0.8; 0.35 |]; Checker = 6.0 } ]

    let private light = let l = [| 0.4; 0.3; 0.85 |] in let n = sqrt (l |> Array.sumBy (fun x -> x * x)) in l |> Array.map (fun x -> x / n)
    let private dot (a: float[]) (b: float[]) = a.[0] * b.[0] + a.[1] * b.[1] + a.[2] * b.[2]

    /// Nearest positive hit distance along o + t d (unit d) and the outward normal there.
    let private hit (o: float[]) (d: float[]) (s: Shape) : (float * float[]) option =
        match s with
        | Sphere(c, r) ->
            let oc = Array.map2 (-) o c
            let b = dot oc d
            let disc = b * b - (dot oc oc - r * r)
            if disc < 0.0 then None
            else
                let t = -b - sqrt disc
                if t <= 1e-9 then None
                else
                    let p = Array.init 3 (fun i -> o.[i] + t * d.[i])
                    Some(t, Array.init 3 (fun i -> (p.[i] - c.[i]) / r))
        | Box(lo, hi) ->
            // Slabs: the entry distance is the largest of the per-axis entries; its axis gives the normal.
            let mutable tNear, tFar, axis, sign = -infinity, infinity, 0, 0.0
            for i in 0 .. 2 do
                let t1, t2 = (lo.[i] - o.[i]) / d.[i], (hi.[i] - o.[i]) / d.[i]
                let a, b = min t1 t2, max t1 t2
                if a > tNear then
                    tNear <- a
                    axis <- i
                    sign <- if t1 < t2 then -1.0 else 1.0
                tFar <- min tFar b
            if tNear > tFar || tNear <= 1e-9 then None
            else Some(tNear, Array.init 3 (fun i -> if i = axis then sign else 0.0))

    /// The colour seen along one ray.
    let shade (background: float[]) (o: float[]) (d: float[]) : float[] =
        let hits = primitives |> List.choose (fun p -> hit o d p.Shape |> Option.map (fun (t, n) -> t, n, p))
        match hits with
        | [] -> background
        | _ ->
            let t, n, p = hits |> List.minBy (fun (t, _, _) -> t)
            let x = Array.init 3 (fun i -> o.[i] + t * d.[i])
            let checker =
                if p.Checker = 0.0 then 1.0
                elif (x |> Array.sumBy (fun v -> int (floor (v * p.Checker)))) % 2 = 0 then 1.0 else 0.45
            let light = 0.35 + 0.65 * max 0.0 (dot n light)
            p.Colour |> Array.map (fun c -> min 1.0 (c * checker * light))

    /// The image a camera sees.
    let render (background: float[]) (c: Camera) : Image =
        let pixels = Array.zeroCreate (c.Width * c.Height * 3)
        for j in 0 .. c.Width * c.Height - 1 do
            let o, d = Camera.ray c (j % c.Width) (j / c.Width)
            shade background o d |> Array.iteri (fun k v -> pixels.[3 * j + k] <- float32 v)
        { Width = c.Width; Height = c.Height; Channels = 3; Pixels = pixels }

    /// `count` cameras of `size`×`size` pixels and a 40° field of view at distance 1.3 from the origin, spread
    /// over the upper hemisphere (elevations 10°–70°) by a golden-angle spiral; every `holdOut`-th view (from the
    /// 2nd) is a test view, the rest train.
    let scene (size: int) (count: int) (holdOut: int) : Scene =
        let background = [| 1.0; 1.0; 1.0 |]
        let template = { Width = size; Height = size; Focal = Camera.focalOfAngle size (40.0 * Math.PI / 180.0); Pose = [||] }
        let views =
            Array.init count (fun k ->
                let f = (float k + 0.5) / float count
                let elevation = (10.0 + 60.0 * f) * Math.PI / 180.0
                let azimuth = float k * Math.PI * (3.0 - sqrt 5.0)
                let eye = [| 1.3 * cos elevation * cos azimuth; 1.3 * cos elevation * sin azimuth; 1.3 * sin elevation |]
                let camera = { template with Pose = Camera.lookAt eye [| 0.0; 0.0; 0.0 |] [| 0.0; 0.0; 1.0 |] }
                { Camera = camera; Image = render background camera })
        let test k = holdOut > 0 && k % holdOut = 1
        { Name = "procedural"
          Train = views |> Array.indexed |> Array.filter (fst >> test >> not) |> Array.map snd
          Test = views |> Array.indexed |> Array.filter (fst >> test) |> Array.map snd
          Near = 0.5; Far = 2.1; Background = background; Centre = [| 0.0; 0.0; 0.0 |]; Scale = 1.0 }
