/// The hinge losses (core/Gan/Losses.fs) on scores made by hand.
module LoE.Tests.GanLossTests

open Xunit
open LoE.Core
open LoE.Core.Gan

let private torch = TilingProperties.torch64
let private reference = ReferenceProperties.reference

let private losses (b: Backend<'T>) =
    use _ = b.scope ()
    // Real scores: 2 (beyond the margin: 0), 0.5 (0.5), −1 (2); fake: −3 (0), 0 (1), 0.5 (1.5).
    let real = b.tensor [| 2.0; 0.5; -1.0 |] [| 3; 1 |]
    let fake = b.tensor [| -3.0; 0.0; 0.5 |] [| 3; 1 |]
    Backend.scalar b (Losses.discriminator b real fake), Backend.scalar b (Losses.generator b fake)

[<Fact>]
let ``hinge losses equal eq. 9-10 on hand-made scores, on both backends`` () =
    for d, g in [ losses torch; losses reference ] do
        Assert.Equal((0.0 + 0.5 + 2.0) / 3.0 + (0.0 + 1.0 + 1.5) / 3.0, d, 12)
        Assert.Equal(-((-3.0 + 0.0 + 0.5) / 3.0), g, 12)

[<Fact>]
let ``the discriminator's hinge gives no gradient to scores beyond the margin`` () =
    let b = reference
    let _, grads =
        b.valueAndGrad (fun xs -> Losses.discriminator b xs.[0] xs.[1]) [ b.tensor [| 2.0; 0.5 |] [| 2 |]; b.tensor [| -3.0; 0.5 |] [| 2 |] ]
    Assert.Equal<float[]>([| 0.0; -0.5 |], b.toArray grads.[0])
    Assert.Equal<float[]>([| 0.0; 0.5 |], b.toArray grads.[1])
