namespace LoE.Core

/// Which experts each of `Count` coordinates uses: `K` (expert, weight) pairs per coordinate, row-major
/// (K = 1 for nearest, 2^d for N-linear). Computed once per layer and coordinate set, on the CPU, in float64,
/// so every backend sees the same routing.
type Routing = { Count: int; K: int; Experts: int[]; Weights: float[]; TileExperts: int }

/// Grid indexing and affine tiling (eq. 7-8): pure functions of a coordinate.
///
/// N-linear convention (the paper's eq. 4): expert k of a dimension peaks at the grid vertex k (grid units), half a
/// cell from nearest's cell [k, k+1); `Interpolation.NLinearCentred` puts it at the cell centre k + 0.5 instead,
/// where N-linear equals nearest. The tile wraps: the neighbour of expert t-1 is expert 0.
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

    /// Where expert j sits in grid units: at the vertex j (the paper's eq. 4) or at the cell centre j + 0.5.
    let expertOffset (interp: Interpolation) = if interp = Interpolation.NLinearCentred then 0.5 else 0.0

    /// The 2^d neighbouring experts of a coordinate and their N-linear weights (non-negative, summing to 1),
    /// experts sitting at `offset` within their cells (0: vertices, eq. 4; 0.5: cell centres).
    /// Corner c takes the upper neighbour in dimension i when bit (d-1-i) of c is set.
    let nlinearAt (offset: float) (m: AffineMap) (tile: int[]) (p: float[]) : (int * float)[] =
        let u = affine m p
        let d = u.Length
        let lower = u |> Array.map (fun x -> floor (x - offset))
        let frac = Array.init d (fun i -> u.[i] - offset - lower.[i])
        Array.init (1 <<< d) (fun c ->
            let mutable w = 1.0
            let index =
                Array.init d (fun i ->
                    let upper = (c >>> (d - 1 - i)) &&& 1 = 1
                    w <- w * (if upper then frac.[i] else 1.0 - frac.[i])
                    modulo (int lower.[i] + (if upper then 1 else 0)) tile.[i])
            flatten tile index, w)

    /// The paper's N-linear blend (eq. 4): expert j peaks at the grid vertex u = j (mod t).
    let nlinear (m: AffineMap) (tile: int[]) (p: float[]) = nlinearAt 0.0 m tile p

    /// Routing of a batch of coordinates (row-major n × d) through one layer, one point at a time with the
    /// per-point functions above: the definition `route` is held to.
    let routeSlow (interp: Interpolation) (m: AffineMap) (tile: int[]) (coords: float[]) : Routing =
        let d = tile.Length
        let n = coords.Length / d
        let point i = Array.sub coords (i * d) d
        match interp with
        | Interpolation.Nearest ->
            { Count = n; K = 1; TileExperts = experts tile
              Experts = Array.init n (point >> nearest m tile); Weights = Array.create n 1.0 }
        | _ ->
            let k = 1 <<< d
            let corners = Array.init n (point >> nlinearAt (expertOffset interp) m tile)
            { Count = n; K = k; TileExperts = experts tile
              Experts = corners |> Array.collect (Array.map fst)
              Weights = corners |> Array.collect (Array.map snd) }

    /// Per-dimension N-linear blend of the 2^d corners around grid position u (d ≤ 3), written into
    /// experts/weights at `row`: `lowerOf` gives the lower neighbour's index and its fraction, `index` maps a
    /// per-dimension integer position to the flattened cell. Shared by the expert grids and the embedding.
    let inline private blend (d: int) (lower: int[]) (frac: float[]) (index: int[] -> int) (scratch: int[])
                             (experts: int[]) (weights: float[]) (row: int) =
        let k = 1 <<< d
        for c in 0 .. k - 1 do
            let mutable w = 1.0
            for i in 0 .. d - 1 do
                let upper = (c >>> (d - 1 - i)) &&& 1 = 1
                w <- w * (if upper then frac.[i] else 1.0 - frac.[i])
                scratch.[i] <- lower.[i] + (if upper then 1 else 0)
            experts.[row + c] <- index scratch
            weights.[row + c] <- w

    /// Routing of a batch of coordinates (row-major n × d) through one layer: equal to `routeSlow`, in loops
    /// over arrays with no allocation per point, since random-batch training routes every batch afresh.
    let route (interp: Interpolation) (m: AffineMap) (tile: int[]) (coords: float[]) : Routing =
        let d = tile.Length
        let n = coords.Length / d
        let u = Array.zeroCreate<float> d
        let lower = Array.zeroCreate<int> d
        let frac = Array.zeroCreate<float> d
        let scratch = Array.zeroCreate<int> d
        let position j =
            for r in 0 .. d - 1 do
                let mutable s = m.B.[r]
                for c in 0 .. d - 1 do s <- s + m.A.[r, c] * coords.[j * d + c]
                u.[r] <- s
        let wrapped (index: int[]) =
            let mutable f = 0
            for i in 0 .. d - 1 do f <- f * tile.[i] + modulo index.[i] tile.[i]
            f
        match interp with
        | Interpolation.Nearest ->
            let ex = Array.zeroCreate n
            for j in 0 .. n - 1 do
                position j
                for i in 0 .. d - 1 do scratch.[i] <- int (floor u.[i])
                ex.[j] <- wrapped scratch
            { Count = n; K = 1; TileExperts = experts tile; Experts = ex; Weights = Array.create n 1.0 }
        | _ ->
            let k = 1 <<< d
            let ex = Array.zeroCreate (n * k)
            let ws = Array.zeroCreate (n * k)
            let offset = expertOffset interp
            for j in 0 .. n - 1 do
                position j
                for i in 0 .. d - 1 do
                    let l = floor (u.[i] - offset)
                    lower.[i] <- int l
                    frac.[i] <- u.[i] - offset - l
                blend d lower frac wrapped scratch ex ws (j * k)
            { Count = n; K = k; TileExperts = experts tile; Experts = ex; Weights = ws }

    /// N-linear interpolation on a lattice of `resolution` points per dimension spanning [0, 1] (point k at
    /// k / (resolution − 1), like align_corners), clamped at the border: the learnable coordinate embedding.
    /// Reproduces lattice values at lattice points and is exact for linear functions on all of [0, 1]^d.
    let lattice (resolution: int) (dims: int) (coords: float[]) : Routing =
        if resolution < 2 then invalidArg "resolution" "an embedding lattice needs at least 2 points per dimension"
        let n = coords.Length / dims
        let k = 1 <<< dims
        let ex = Array.zeroCreate (n * k)
        let ws = Array.zeroCreate (n * k)
        let lower = Array.zeroCreate<int> dims
        let frac = Array.zeroCreate<float> dims
        let scratch = Array.zeroCreate<int> dims
        let index (idx: int[]) =
            let mutable f = 0
            for i in 0 .. dims - 1 do f <- f * resolution + idx.[i]
            f
        for j in 0 .. n - 1 do
            for i in 0 .. dims - 1 do
                let u = System.Math.Clamp(coords.[j * dims + i], 0.0, 1.0) * float (resolution - 1)
                let l = min (int (floor u)) (resolution - 2)
                lower.[i] <- l
                frac.[i] <- u - float l
            blend dims lower frac index scratch ex ws (j * k)
        { Count = n; K = k; TileExperts = pown resolution dims; Experts = ex; Weights = ws }

    /// Sample-centre coordinates in [0, 1]^d of a grid of `size` samples (first dimension fastest), row-major
    /// n × d: p_i = (x_i + 0.5) / size_i.
    let centres (size: int[]) : float[] =
        let d = size.Length
        let n = Array.fold (*) 1 size
        let out = Array.zeroCreate (n * d)
        for j in 0 .. n - 1 do
            let mutable rest = j
            for i in 0 .. d - 1 do
                out.[j * d + i] <- (float (rest % size.[i]) + 0.5) / float size.[i]
                rest <- rest / size.[i]
        out

    /// Sample-centre coordinates of the samples at `indices` (flat, first dimension fastest).
    let centresOf (size: int[]) (indices: int[]) : float[] =
        let d = size.Length
        let out = Array.zeroCreate (indices.Length * d)
        for j in 0 .. indices.Length - 1 do
            let mutable rest = indices.[j]
            for i in 0 .. d - 1 do
                out.[j * d + i] <- (float (rest % size.[i]) + 0.5) / float size.[i]
                rest <- rest / size.[i]
        out

    /// Pixel-centre coordinates in [0, 1]^2 of a width × height image, row-major, p = (x, y).
    let pixelCentres (width: int) (height: int) : float[] = centres [| width; height |]
