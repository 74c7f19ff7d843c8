namespace LoE.Core

/// Losses and image metrics.
module Metrics =
    /// Mean squared error, a scalar tensor.
    let mse (b: Backend<'T>) (prediction: 'T) (target: 'T) : 'T =
        let d = b.sub prediction target
        Backend.mean b (b.mul d d)

    /// PSNR in dB of a mean squared error for signals in [0, 1].
    let psnr (mse: float) = -10.0 * log10 mse

    /// Normalised 1-D Gaussian of `size` taps and standard deviation sigma.
    let gaussian (size: int) (sigma: float) : float[] =
        let c = float (size - 1) / 2.0
        let g = Array.init size (fun i -> exp (-((float i - c) ** 2.0) / (2.0 * sigma * sigma)))
        let s = Array.sum g
        g |> Array.map (fun x -> x / s)

    /// Separable 'valid' filtering of a width × height plane (rows then columns), as Wang et al.'s filter2.
    let private filterValid (g: float[]) (width: int) (height: int) (plane: float[]) : float[] =
        let k = g.Length
        let w1, h1 = width - k + 1, height - k + 1
        let rows = Array.zeroCreate (w1 * height)
        for y in 0 .. height - 1 do
            for x in 0 .. w1 - 1 do
                let mutable s = 0.0
                for t in 0 .. k - 1 do s <- s + g.[t] * plane.[y * width + x + t]
                rows.[y * w1 + x] <- s
        let out = Array.zeroCreate (w1 * h1)
        for y in 0 .. h1 - 1 do
            for x in 0 .. w1 - 1 do
                let mutable s = 0.0
                for t in 0 .. k - 1 do s <- s + g.[t] * rows.[(y + t) * w1 + x]
                out.[y * w1 + x] <- s
        out

    /// Mean SSIM of two single-channel planes with values in [0, 1] (Wang et al. 2004): an 11×11 Gaussian
    /// window with sigma 1.5 (smaller when the plane is), K1 = 0.01, K2 = 0.03, over the valid region.
    let ssimPlane (width: int) (height: int) (x: float[]) (y: float[]) : float =
        let size = min 11 (min width height)
        let g = gaussian size 1.5
        let c1, c2 = (0.01 ** 2.0), (0.03 ** 2.0)
        let f = filterValid g width height
        let mx, my = f x, f y
        let xx = f (Array.map2 (*) x x)
        let yy = f (Array.map2 (*) y y)
        let xy = f (Array.map2 (*) x y)
        let mutable total = 0.0
        for i in 0 .. mx.Length - 1 do
            let vx = xx.[i] - mx.[i] * mx.[i]
            let vy = yy.[i] - my.[i] * my.[i]
            let cxy = xy.[i] - mx.[i] * my.[i]
            total <- total + ((2.0 * mx.[i] * my.[i] + c1) * (2.0 * cxy + c2))
                             / ((mx.[i] * mx.[i] + my.[i] * my.[i] + c1) * (vx + vy + c2))
        total / float mx.Length

    /// SSIM of two signals of `size` samples ([width; height], or [width; height; frames]): computed per
    /// channel (and frame) and averaged. A 1-D signal (audio) has no image structure to compare: NaN.
    let ssim (size: int[]) (channels: int) (a: float32[]) (b: float32[]) : float =
        if size.Length < 2 then nan else
        let width, height = size.[0], size.[1]
        let frames = size |> Array.skip 2 |> Array.fold (*) 1
        let plane (s: float32[]) f c =
            Array.init (width * height) (fun i -> float s.[((f * width * height) + i) * channels + c])
        Seq.init frames (fun f -> Seq.init channels (fun c -> ssimPlane width height (plane a f c) (plane b f c)))
        |> Seq.concat |> Seq.average
