namespace LoE.Core.Gan

open System
open LoE.Core

/// The generator of section E: a per-pixel coordinate network conditioned on a latent z. The pixel centre p is
/// positionally encoded (8 frequencies) and, for "PE + CE", joined by a learnable coordinate embedding; z is fed
/// into the first layer together with them (concatenation, no modulation), LeakyReLU follows every layer, and a
/// linear stack of residual blocks leads to the output channels. "Ours" makes the first linear layer of each of
/// the residual blocks position-dependent (ExpertLinear, nearest, coarse-to-fine grids A_i = s_i I, b_i = 0, as
/// section C defines them).
///
/// The first layer's product of [γ(p), CE(p), z] with its weight splits into a per-pixel part and z's part; z's
/// part is the same for every pixel of an image, so it is computed once per image and added to its pixels: the
/// same function as concatenation, and why z's weights cost parameters but no multiply-adds per pixel.
/// What the generator's last layer gives: the data are in [−1, 1] either way (`generate` maps [−1, 1] to [0, 1]
/// and clips what lies outside, which only a linear output can reach).
type GeneratorOutput =
    /// The last linear layer's value, unbounded (this project's reading before tanh was an option).
    | Linear = 0
    /// tanh of it: squashed into [−1, 1] (DCGAN's and most image GANs' output).
    | Tanh = 1

type GeneratorSpec =
    { PeFrequencies: int
      EncodingRange: EncodingRange
      LatentDim: int
      /// Width of the first layer and of every residual block's output (the trunk).
      Width: int
      /// Width inside a residual block: x + f(x), f = linear (Width → InnerWidth), LeakyReLU, linear back, LeakyReLU.
      InnerWidth: int
      /// Per residual block, the tile of its first linear layer ([|1; 1|]: a plain layer, as in PE + CE).
      Tiles: int[][]
      /// Per residual block, the grid resolution s_i of its first layer's experts (A_i = s_i I, b_i = 0).
      Scales: float[]
      Interpolation: Interpolation
      /// Learnable coordinate embedding channels (0: none) and lattice points per side (PE + CE: 256 and 256).
      EmbeddingChannels: int
      EmbeddingResolution: int
      /// Output channels (3 for RGB, 1 for Fashion-MNIST).
      Channels: int
      NegativeSlope: float
      /// How each block's experts start.
      ExpertInit: ExpertInit
      Output: GeneratorOutput }

/// A generator's pieces: the per-pixel input part, z's weight, and the trunk after the first layer.
type Generator<'T> =
    { Spec: GeneratorSpec
      /// Encoding(s) and the first layer's per-pixel product with its bias: points → [n; Width].
      Input: Component<'T>
      /// z's part of the first layer, [LatentDim; Width], applied once per image.
      Latent: Parameter
      /// LeakyReLU, the residual blocks, the output layer and tanh when Spec.Output says so: [n; Width] → [n; Channels].
      Trunk: Component<'T>
      /// Every parameter, in initialisation order.
      Parameters: Parameter list
      /// Multiply-adds per pixel (z's part, once per image, excluded).
      MultiplyAdds: int64 }

/// The pixels of a batch of images: the points of every pixel centre of every image (image after image, each row
/// by row, x fastest) and which image each point belongs to.
type PixelBatch<'T> = { Batch: Batch<'T>; Owner: 'T; Images: int; Width: int; Height: int }

module Generator =
    /// Kaiming-uniform weights for a LeakyReLU of `slope` with a given fan-in, zero biases (section A).
    let private kaiming (slope: float) (fanIn: int option) : LayerInit =
        { Weight = fun rng f count -> Init.kaimingUniform rng slope (defaultArg fanIn f) count
          Bias = fun _ _ count -> Array.zeroCreate count }

    /// Width of the per-pixel input: the encoding, then the embedding's channels.
    let inputWidth (s: GeneratorSpec) = Encoding.peWidth 2 s.PeFrequencies + s.EmbeddingChannels

    let create (b: Backend<'T>) (s: GeneratorSpec) : Generator<'T> =
        if s.Tiles.Length <> s.Scales.Length then invalidArg "s" $"{s.Tiles.Length} tiles but {s.Scales.Length} grid resolutions: one of each per residual block"
        let inW = inputWidth s
        // The first layer is one layer over [γ(p), CE(p), z]: both parts draw with its whole fan-in.
        let firstInit = kaiming s.NegativeSlope (Some(inW + s.LatentDim))
        let init = kaiming s.NegativeSlope None
        let act = Activations.leakyRelu b s.NegativeSlope
        let embedding =
            if s.EmbeddingChannels = 0 then []
            else [ Encodings.lattice b "g.embedding" 2 s.EmbeddingChannels s.EmbeddingResolution ]
        let input =
            Component.chain
                ([ Encodings.positional b s.EncodingRange s.PeFrequencies ] @ embedding
                 @ [ Linear.create b "g.input" inW s.Width firstInit ])
        let latent = { Name = "g.latent.weight"; Shape = [| s.LatentDim; s.Width |]; Init = fun rng -> firstInit.Weight rng 0 (s.LatentDim * s.Width) }
        let block i =
            let options =
                { ExpertLinear.Interpolation = s.Interpolation; ExpertLinear.Map = Layouts.scaled 2 s.Scales.[i] 0.0
                  ExpertLinear.Tile = s.Tiles.[i]; ExpertLinear.SharedBias = true; ExpertLinear.Init = s.ExpertInit }
            Component.residual
                [ ExpertLinear.create b $"g.block%d{i + 1}.a" options s.Width s.InnerWidth init; act
                  Linear.create b $"g.block%d{i + 1}.b" s.InnerWidth s.Width init; act ] b.add
        let squash = if s.Output = GeneratorOutput.Tanh then [ Activations.tanh b ] else []
        let trunk =
            Component.chain ([ act ] @ List.init s.Tiles.Length block @ [ Linear.create b "g.output" s.Width s.Channels init ] @ squash)
        { Spec = s; Input = input; Latent = latent; Trunk = trunk
          Parameters = input.Parameters @ [ latent ] @ trunk.Parameters
          MultiplyAdds = input.MultiplyAdds + trunk.MultiplyAdds }

    let parameterCount (g: Generator<'T>) = g.Parameters |> List.sumBy (fun p -> p.Shape |> Array.fold (fun n d -> n * int64 d) 1L)

    /// Fresh parameters from a seed, drawn in the order of g.Parameters.
    let init (b: Backend<'T>) (g: Generator<'T>) (seed: int) : Params<'T> =
        Component.init b { Parameters = g.Parameters; MultiplyAdds = 0L; Apply = fun _ _ x -> x } seed

    /// The pixel centres ((x + ½)/W, (y + ½)/H) of `images` images of width × height, and their owners.
    let pixels (b: Backend<'T>) (persistent: bool) (images: int) (width: int) (height: int) : PixelBatch<'T> =
        let per = width * height
        let coords = Array.init (images * per * 2) (fun k ->
            let j, d = (k / 2) % per, k % 2
            if d = 0 then (float (j % width) + 0.5) / float width else (float (j / width) + 0.5) / float height)
        let owner = b.indices (Array.init (images * per) (fun j -> j / per)) [| images * per |]
        { Batch = Batch.create b persistent 2 coords; Owner = (if persistent then b.persist owner else owner)
          Images = images; Width = width; Height = height }

    /// The generator's per-pixel output [images·H·W; Channels] for latents z [images; LatentDim].
    let apply (b: Backend<'T>) (g: Generator<'T>) (ps: Params<'T>) (px: PixelBatch<'T>) (z: 'T) : 'T =
        let perPixel = Component.forward g.Input px.Batch ps
        let perImage = b.matmul z ps.[g.Latent.Name]
        g.Trunk.Apply px.Batch ps (b.add perPixel (b.gatherRows perImage px.Owner))

    /// Images [images; Channels; H; W] (NCHW, what the discriminator reads) for latents z.
    let images (b: Backend<'T>) (g: Generator<'T>) (ps: Params<'T>) (px: PixelBatch<'T>) (z: 'T) : 'T =
        apply b g ps px z
        |> b.reshape [| px.Images; px.Height; px.Width; g.Spec.Channels |]
        |> b.permute [| 0; 3; 1; 2 |]

    /// Latents drawn from N(0, I) by a seeded generator (Box-Muller), made in .NET so that both backends see the
    /// same draws.
    let latents (dim: int) (count: int) (seed: int64) : float[] =
        let rng = Random(int (seed % int64 Int32.MaxValue))
        Array.init (count * dim) (fun _ ->
            let u1 = 1.0 - rng.NextDouble()
            sqrt (-2.0 * log u1) * cos (2.0 * Math.PI * rng.NextDouble()))
