namespace LoE.Core.Nerf

open LoE.Core

/// How the trunk encodes a scene position p ∈ [0, 1]³ (scene.encoding).
type SceneEncoding =
    /// γ(2p − 1) with sin(2^l π ·): the scene's [−0.5, 0.5]³ doubled to [−1, 1]³ (this project's reading).
    | Symmetric = 0
    /// γ(p) with sin(2^l π ·), as every other experiment's positional encoding (model.encoding_range unit).
    | Unit = 1
    /// NeRF's published code: the world coordinate x = (p − 0.5)/scale + centre, encoded with sin(2^l x), no π.
    | Nerf = 2

/// The trunk's encoding with what it needs: a range of p, or the scene's box to return to world units.
type PositionEncoding =
    | Ranged of EncodingRange
    | World of centre: float[] * scale: float

module PositionEncoding =
    /// The encoding scene.encoding names for a scene with this centre and scale (Scene.Centre, Scene.Scale).
    let choose (e: SceneEncoding) (centre: float[]) (scale: float) =
        match e with
        | SceneEncoding.Unit -> Ranged EncodingRange.Unit
        | SceneEncoding.Nerf -> World(centre, scale)
        | _ -> Ranged EncodingRange.Symmetric

/// The radiance field's shape (section D; Figure 9 as its parameter counts pin it): a trunk γ(p) → Width then
/// TrunkLayers − 1 layers Width → Width, a density head Width → 1, and a colour branch (Width + γ_d(d)) →
/// ColourWidth → 3. The first ExpertLayers trunk layers are position-dependent with `Tile` experts, layer i
/// (1-based) on the grid A_i = Scales[i−1]·I, b_i = 0 over p ∈ [0, 1]³.
type NerfModel =
    { PeFrequencies: int
      DirectionFrequencies: int
      Width: int
      TrunkLayers: int
      ColourWidth: int
      ExpertLayers: int
      Tile: int[]
      Scales: float[]
      Interpolation: Interpolation
      NegativeSlope: float
      SharedBias: bool
      ExpertInit: ExpertInit
      /// How the trunk encodes positions (PositionEncoding.choose).
      Encoding: PositionEncoding }

module NerfModel =
    /// The paper's PE MLP: 4 hidden layers of 256 after the first (317K parameters, 315K multiply-adds).
    let peMlp =
        { PeFrequencies = 10; DirectionFrequencies = 4; Width = 256; TrunkLayers = 5; ColourWidth = 128
          ExpertLayers = 0; Tile = [| 1; 1; 1 |]; Scales = [||]; Interpolation = Interpolation.Nearest
          NegativeSlope = 0.2; SharedBias = true; ExpertInit = ExpertInit.Independent
          Encoding = Ranged EncodingRange.Symmetric }

    /// Table 9's No Hierarchy: the whole trunk position-dependent, 4×4×4 tiles, A_i = 64 I on every layer.
    let noHierarchy = { peMlp with ExpertLayers = 5; Tile = [| 4; 4; 4 |]; Scales = Array.create 5 64.0 }

    /// Table 9's Ours, read as A_i = 4^i I (i = 1..5): our copy prints 4^2 I, the same on every layer, which would
    /// be no hierarchy at all.
    let ours = { noHierarchy with Scales = Array.init 5 (fun i -> 4.0 ** float (i + 1)) }

/// The field as a composition of components.
module Field =
    let private init (slope: float) : LayerInit =
        { Weight = (fun rng fanIn count -> Init.kaimingUniform rng slope fanIn count); Bias = fun _ _ count -> Array.zeroCreate count }

    /// The trunk's first component: the model's encoding of the batch's points.
    let encoding (b: Backend<'T>) (m: NerfModel) : Component<'T> =
        match m.Encoding with
        | Ranged range -> Encodings.positional b range m.PeFrequencies
        | World(centre, scale) -> Encodings.world b centre scale m.PeFrequencies

    /// A field whose parameters are named `PREFIX.trunkNN`, `PREFIX.density`, `PREFIX.colourNN`. As a component,
    /// its input is the encoded view direction γ_d(d) [n; 3 + 6 L_d] and its output [n; 4] the density
    /// σ = ReLU(·) ≥ 0 (NeRF's published code) and the colour sigmoid(·) at the batch's points; the trunk reads the
    /// points themselves, encoded by `encoding`.
    let create (b: Backend<'T>) (prefix: string) (m: NerfModel) : Component<'T> =
        let act = Activations.leakyRelu b m.NegativeSlope
        let peWidth = Encoding.peWidth 3 m.PeFrequencies
        let trunk =
            Component.chain
                ([ encoding b m ]
                 @ List.concat
                     [ for i in 0 .. m.TrunkLayers - 1 ->
                         let inW = if i = 0 then peWidth else m.Width
                         let name = $"{prefix}.trunk%02d{i + 1}"
                         let layer =
                             if i < m.ExpertLayers then
                                 let options =
                                     { ExpertLinear.Interpolation = m.Interpolation
                                       ExpertLinear.Map = Layouts.scaled 3 m.Scales.[i] 0.0 // the signals' layout scales
                                       ExpertLinear.Tile = m.Tile; ExpertLinear.SharedBias = m.SharedBias
                                       ExpertLinear.Init = m.ExpertInit }
                                 ExpertLinear.create b name options inW m.Width (init m.NegativeSlope)
                             else Linear.create b name inW m.Width (init m.NegativeSlope)
                         [ layer; act ] ])
        let density = Linear.create b $"{prefix}.density" m.Width 1 (init m.NegativeSlope)
        let dirWidth = Encoding.peWidth 3 m.DirectionFrequencies
        let colour =
            Component.chain
                [ Linear.create b $"{prefix}.colour01" (m.Width + dirWidth) m.ColourWidth (init m.NegativeSlope)
                  act
                  Linear.create b $"{prefix}.colour02" m.ColourWidth 3 (init m.NegativeSlope) ]
        { Parameters = trunk.Parameters @ density.Parameters @ colour.Parameters
          MultiplyAdds = trunk.MultiplyAdds + density.MultiplyAdds + colour.MultiplyAdds
          Apply = fun batch ps directions ->
              let h = Component.forward trunk batch ps
              let sigma = b.leakyRelu 0.0 (density.Apply batch ps h)
              let rgb = b.sigmoid (colour.Apply batch ps (b.concatLast [ h; directions ]))
              b.concatLast [ sigma; rgb ] }

    /// γ_d of unit view directions [n; 3] (float64 points), in the model's precision.
    let encodeDirections (b: Backend<'T>) (m: NerfModel) (directions: 'T) : 'T = b.positional m.DirectionFrequencies directions
