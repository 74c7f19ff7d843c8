namespace LoE.Core.Reference

open System

/// The image ops of the GAN's discriminator on reference tensors (NCHW), with their vector-Jacobian products:
/// written as the plain sums that define them, since the reference backend serves tests and tiny runs.
module Conv =
    let inline private when' (need: bool) (grad: unit -> float[]) = if need then Some(grad ()) else None

    /// Output side of a convolution or pooling along one axis.
    let outputSide (side: int) (kernel: int) (stride: int) (padding: int) = (side + 2 * padding - kernel) / stride + 1

    /// y[n,o,v,u] = b[o] + Σ_c,i,j w[o,c,i,j] x[n,c, v·s − p + i, u·s − p + j], with zeros outside the image (torch's
    /// conv2d, no dilation, one group). The VJP runs the same sum backwards into x, w and b.
    let conv2d (stride: int) (padding: int) (x: Tensor) (w: Tensor) (b: Tensor) : Tensor =
        if x.Shape.Length <> 4 || w.Shape.Length <> 4 || b.Shape <> [| w.Shape.[0] |] || x.Shape.[1] <> w.Shape.[1] then
            invalidArg "w" $"conv2d needs x [N; C; H; W], w [O; C; kh; kw], b [O]; got %A{x.Shape}, %A{w.Shape}, %A{b.Shape}"
        let n, c, h, wd = x.Shape.[0], x.Shape.[1], x.Shape.[2], x.Shape.[3]
        let o, kh, kw = w.Shape.[0], w.Shape.[2], w.Shape.[3]
        let oh, ow = outputSide h kh stride padding, outputSide wd kw stride padding
        let xi ni ci yi xj = ((ni * c + ci) * h + yi) * wd + xj
        let wi oi ci i j = ((oi * c + ci) * kh + i) * kw + j
        let yi ni oi v u = ((ni * o + oi) * oh + v) * ow + u
        /// Every (output, input, weight) index triple of the sum, in a fixed order.
        let each (f: int -> int -> int -> unit) =
            for ni in 0 .. n - 1 do
                for oi in 0 .. o - 1 do
                    for v in 0 .. oh - 1 do
                        for u in 0 .. ow - 1 do
                            for ci in 0 .. c - 1 do
                                for i in 0 .. kh - 1 do
                                    let r = v * stride - padding + i
                                    if r >= 0 && r < h then
                                        for j in 0 .. kw - 1 do
                                            let q = u * stride - padding + j
                                            if q >= 0 && q < wd then f (yi ni oi v u) (xi ni ci r q) (wi oi ci i j)
        let y = Array.init (n * o * oh * ow) (fun k -> b.Data.[(k / (oh * ow)) % o])
        each (fun yk xk wk -> y.[yk] <- y.[yk] + w.Data.[wk] * x.Data.[xk])
        let vjp (g: float[]) (needs: bool[]) =
            [| when' needs.[0] (fun () ->
                let dx = Array.zeroCreate x.Data.Length
                each (fun yk xk wk -> dx.[xk] <- dx.[xk] + g.[yk] * w.Data.[wk])
                dx)
               when' needs.[1] (fun () ->
                let dw = Array.zeroCreate w.Data.Length
                each (fun yk xk wk -> dw.[wk] <- dw.[wk] + g.[yk] * x.Data.[xk])
                dw)
               when' needs.[2] (fun () ->
                let db = Array.zeroCreate o
                g |> Array.iteri (fun k gk -> db.[(k / (oh * ow)) % o] <- db.[(k / (oh * ow)) % o] + gk)
                db) |]
        Tape.record [| x; w; b |] y [| n; o; oh; ow |] vjp

    /// The mean of every 2 × 2 block of an NCHW image (even sides): downsampling by 2. The VJP gives each of a
    /// block's four pixels a quarter of its output's gradient.
    let avgPool2 (x: Tensor) : Tensor =
        if x.Shape.Length <> 4 || x.Shape.[2] % 2 <> 0 || x.Shape.[3] % 2 <> 0 then
            invalidArg "x" $"avgPool2 needs [N; C; H; W] with even H and W, got %A{x.Shape}"
        let planes, h, w = x.Shape.[0] * x.Shape.[1], x.Shape.[2], x.Shape.[3]
        let oh, ow = h / 2, w / 2
        let source k = let p, v, u = k / (oh * ow), (k / ow) % oh, k % ow in (p * h + 2 * v) * w + 2 * u
        let y = Array.init (planes * oh * ow) (fun k -> let s = source k in 0.25 * (x.Data.[s] + x.Data.[s + 1] + x.Data.[s + w] + x.Data.[s + w + 1]))
        Tape.record [| x |] y [| x.Shape.[0]; x.Shape.[1]; oh; ow |] (fun g needs ->
            [| when' needs.[0] (fun () ->
                let dx = Array.zeroCreate x.Data.Length
                g |> Array.iteri (fun k gk ->
                    let s = source k
                    for d in [| 0; 1; w; w + 1 |] do dx.[s + d] <- 0.25 * gk)
                dx) |])

    /// Row-major offsets of every element of `shape` read in the order of the permuted axes.
    let private permutedSources (perm: int[]) (shape: int[]) : int[] =
        let strides = Array.zeroCreate shape.Length
        let mutable s = 1
        for i in shape.Length - 1 .. -1 .. 0 do
            strides.[i] <- s
            s <- s * shape.[i]
        let outShape = perm |> Array.map (fun a -> shape.[a])
        let total = Shape.size shape
        let index = Array.zeroCreate shape.Length
        Array.init total (fun _ ->
            let offset = Seq.init perm.Length (fun k -> index.[k] * strides.[perm.[k]]) |> Seq.sum
            // Odometer over the output's index.
            let mutable k = perm.Length - 1
            let mutable carry = true
            while carry && k >= 0 do
                index.[k] <- index.[k] + 1
                if index.[k] = outShape.[k] then index.[k] <- 0; k <- k - 1 else carry <- false
            offset)

    /// Axes reordered: output axis k is input axis perm[k] (torch's permute). The VJP puts g back where each
    /// element came from.
    let permute (perm: int[]) (x: Tensor) : Tensor =
        if Array.sort perm <> Array.init x.Shape.Length id then invalidArg "perm" $"%A{perm} is not a permutation of the axes of %A{x.Shape}"
        let sources = permutedSources perm x.Shape
        let y = sources |> Array.map (fun s -> x.Data.[s])
        Tape.record [| x |] y (perm |> Array.map (fun a -> x.Shape.[a])) (fun g needs ->
            [| when' needs.[0] (fun () ->
                let dx = Array.zeroCreate x.Data.Length
                sources |> Array.iteri (fun k s -> dx.[s] <- g.[k])
                dx) |])
