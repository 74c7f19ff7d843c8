namespace LoE.Core.Gan

open LoE.Core

/// The discriminator of section E: two 5-layer patch discriminators (pix2pix's PatchGAN, simplified), one on the
/// image and one on the image downsampled by 2 (2 × 2 mean). Each layer is a 3 × 3 convolution of stride 2 and
/// padding 1 with spectrally normalised weights; LeakyReLU follows every layer but the last, which gives one
/// score per patch.
type DiscriminatorSpec =
    { /// Image channels in.
      Channels: int
      /// Output channels of the 5 layers (the last is 1: a score).
      Widths: int[]
      NegativeSlope: float
      /// Power iterations per step for each weight's σ̂ (1, as Miyato et al.).
      PowerIterations: int }

/// The two discriminators' parameters (weights and biases) and their state (one spectral-norm u per weight).
type Discriminator =
    { Spec: DiscriminatorSpec
      Parameters: Parameter list
      /// u vectors: not trained, updated by every discriminator evaluation that trains (see `scores`).
      State: Parameter list }

module Discriminator =
    /// The paper's full-scale widths are not given; these are pix2pix's (64 doubling to 512) with a score layer.
    let paperWidths = [| 64; 128; 256; 512; 1 |]

    /// Name of the u vector of a weight.
    let stateName (weight: string) = weight + ".u"

    let private layers (s: DiscriminatorSpec) (scale: string) =
        s.Widths |> Array.mapi (fun i o -> $"d.{scale}.conv%d{i + 1}", (if i = 0 then s.Channels else s.Widths.[i - 1]), o)

    let private scales = [ "full"; "half" ]

    let create (s: DiscriminatorSpec) : Discriminator =
        let ps, state =
            [ for scale in scales do
                for name, c, o in layers s scale ->
                    let fanIn = c * 9
                    [ { Name = name + ".weight"; Shape = [| o; c; 3; 3 |]; Init = fun rng -> Init.kaimingUniform rng s.NegativeSlope fanIn (o * fanIn) }
                      { Name = name + ".bias"; Shape = [| o |]; Init = fun _ -> Array.zeroCreate o } ],
                    { Name = stateName (name + ".weight"); Shape = [| o |]; Init = fun _ -> SpectralNorm.initialU o } ]
            |> List.unzip
        { Spec = s; Parameters = List.concat ps; State = state }

    let parameterCount (d: Discriminator) = d.Parameters |> List.sumBy (fun p -> p.Shape |> Array.fold (fun n k -> n * int64 k) 1L)

    /// Score maps of the full and the half-scale discriminator for images [N; C; H; W] (H, W even), and every
    /// weight's next u (by state name). `ps` holds the parameters and the current u's.
    let scores (b: Backend<'T>) (d: Discriminator) (ps: Params<'T>) (images: 'T) : 'T list * (string * 'T) list =
        let run scale (x: 'T) =
            layers d.Spec scale
            |> Array.indexed
            |> Array.fold (fun (x, next) (i, (name, _, _)) ->
                let weight = name + ".weight"
                let w, u = SpectralNorm.normalise b d.Spec.PowerIterations ps.[weight] ps.[stateName weight]
                let y = b.conv2d 2 1 x w ps.[name + ".bias"]
                (if i = d.Spec.Widths.Length - 1 then y else b.leakyRelu d.Spec.NegativeSlope y),
                (stateName weight, u) :: next) (x, [])
        let full, nextFull = run "full" images
        let half, nextHalf = run "half" (b.avgPool2 images)
        [ full; half ], List.rev nextFull @ List.rev nextHalf
