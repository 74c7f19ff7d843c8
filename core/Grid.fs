namespace LoE.Core

/// Which experts each of `Count` coordinates uses: `K` (expert, weight) pairs per coordinate, row-major
/// (K = 1 for nearest, 2^d for N-linear). Computed once per layer and coordinate set, on the CPU, in float64,
/// so every backend sees the same routing.
type Routing = { Count: int; K: int; Experts: int[]; Weights: float[]; TileExperts: int }

/// Grid indexing and affine tiling (eq. 7-8): pure functions of a coordinate.
///
/// N-linear convention: expert k of a dimension sits at the cell centre k + 0.5 (grid units), like pixel-centre
/// sampling, so at cell centres N-linear equals nearest. The tile wraps: the neighbour of expert t-1 is expert 0.
module Grid =
    /// Mathematical (non-negative) modulo: floor(x) mod t must stay in [0, t) for negative x too.
    let inline modulo (a: int) (t: int) = ((a % t) + t) % t

    /// Grid-unit position u = A p + b of a coordinate.
    let affine (m: AffineMap) (p: float[]) : float[] =
        let d = p.Length
        Array.init d (fun r ->
            let mutable s = m.B.[r]
            for c in 0 .. d - 1 do s <- s + m.A.[r, c] * p.[c]
            s)

    /// Row-major flattening of a per-dimension expert index within the tile.
    let flatten (tile: int[]) (index: int[]) =
        let mutable f = 0
        for i in 0 .. tile.Length - 1 do f <- f * tile.[i] + index.[i]
        f

    let experts (tile: int[]) = Array.fold (*) 1 tile

    /// Per-dimension index floor(A p + b) mod t.
    let nearestIndex (m: AffineMap) (tile: int[]) (p: float[]) : int[] =
        affine m p |> Array.mapi (fun i u -> modulo (int (floor u)) tile.[i])

    /// Flattened nearest expert of a coordinate.
    let nearest (m: AffineMap) (tile: int[]) (p: float[]) : int = nearestIndex m tile p |> flatten tile

    /// The 2^d neighbouring experts of a coordinate and their N-linear weights (non-negative, summing to 1).
    /// Corner c takes the upper neighbour in dimension i when bit (d-1-i) of c is set.
    let nlinear (m: AffineMap) (tile: int[]) (p: float[]) : (int * float)[] =
        let u = affine m p
        let d = u.Length
        let lower = u |> Array.map (fun x -> floor (x - 0.5))
        let frac = Array.init d (fun i -> u.[i] - 0.5 - lower.[i])
        Array.init (1 <<< d) (fun c ->
            let mutable w = 1.0
            let index =
                Array.init d (fun i ->
                    let upper = (c >>> (d - 1 - i)) &&& 1 = 1
                    w <- w * (if upper then frac.[i] else 1.0 - frac.[i])
                    modulo (int lower.[i] + (if upper then 1 else 0)) tile.[i])
            flatten tile index, w)

    /// Routing of a batch of coordinates (row-major n × d) through one layer.
    let route (interp: Interpolation) (m: AffineMap) (tile: int[]) (coords: float[]) : Routing =
        let d = tile.Length
        let n = coords.Length / d
        let point i = Array.sub coords (i * d) d
        match interp with
        | Interpolation.Nearest ->
            { Count = n; K = 1; TileExperts = experts tile
              Experts = Array.init n (point >> nearest m tile); Weights = Array.create n 1.0 }
        | _ ->
            let k = 1 <<< d
            let corners = Array.init n (point >> nlinear m tile)
            { Count = n; K = k; TileExperts = experts tile
              Experts = corners |> Array.collect (Array.map fst)
              Weights = corners |> Array.collect (Array.map snd) }

    /// Pixel-centre coordinates in [0, 1]^2 of a width × height image, row-major, p = (x, y).
    let pixelCentres (width: int) (height: int) : float[] =
        Array.init (width * height * 2) (fun k ->
            let i = k / 2
            if k % 2 = 0 then (float (i % width) + 0.5) / float width
            else (float (i / width) + 0.5) / float height)
