namespace LoE.Core

open System

/// How a layer's weights and biases start: functions of the generator, the fan-in and the count to draw.
type LayerInit = { Weight: Random -> int -> int -> float[]; Bias: Random -> int -> int -> float[] }

/// The plain linear layer y = x W + b, with W [in; out] and b [out] named `NAME.weight` and `NAME.bias`.
module Linear =
    let create (b: Backend<'T>) (name: string) (inW: int) (outW: int) (init: LayerInit) : Component<'T> =
        let weight, bias = $"{name}.weight", $"{name}.bias"
        { Parameters =
            [ { Name = weight; Shape = [| inW; outW |]; Init = fun rng -> init.Weight rng inW (inW * outW) }
              { Name = bias; Shape = [| outW |]; Init = fun rng -> init.Bias rng inW outW } ]
          MultiplyAdds = int64 inW * int64 outW
          Apply = fun _ ps x -> b.add (b.matmul x ps.[weight]) ps.[bias] }
