module LoE.Tests.OptimTests

open FsCheck.FSharp
open FsCheck.Xunit
open TorchSharp
open LoE.Core
open LoE.Tests.Generators

let private b = TilingProperties.torch64

[<Property(MaxTest = 30)>]
let ``Adam updates equal torch.optim.Adam's over several steps`` () =
    let case = gen {
        let! n = Gen.choose (1, 8)
        let! steps = Gen.choose (1, 5)
        let! p = Gen.arrayOfLength n (floatIn -1.0 1.0)
        let! grads = Gen.arrayOfLength steps (Gen.arrayOfLength n (floatIn -1.0 1.0))
        let! lr = floatIn 1e-4 1e-1
        let! beta2 = Gen.elements [ 0.995; 0.999 ]
        return p, grads, lr, beta2 }
    forAll case (fun (p, grads, lr, beta2) ->
        let cfg = { Adam.Beta1 = 0.9; Beta2 = beta2; Epsilon = 1e-8 }
        let ours =
            grads |> Array.fold (fun (ps, s) g -> Optim.adamStep b cfg lr s ps [ b.tensor g [| g.Length |] ])
                                ([ b.tensor p [| p.Length |] ], Optim.adamInit b [ b.tensor p [| p.Length |] ])
            |> fst |> List.head |> b.toArray
        let param = torch.nn.Parameter(torch.tensor(p, dtype = torch.ScalarType.Float64))
        let adam = torch.optim.Adam([ param ], lr = lr, beta1 = 0.9, beta2 = beta2, eps = 1e-8)
        for g in grads do
            param.grad <- torch.tensor(g, dtype = torch.ScalarType.Float64)
            adam.step() |> ignore
        let theirs = param.detach().data<float>().ToArray()
        Array.forall2 (fun a t -> abs (a - t) <= 1e-12 * (1.0 + abs t)) ours theirs)

[<Property>]
let ``step decay multiplies by the factor once per milestone passed`` () =
    forAll (Gen.zip (Gen.choose (0, 1000)) (Gen.arrayOf (Gen.choose (0, 1000)))) (fun (it, milestones) ->
        let passed = milestones |> Array.filter (fun m -> m <= it) |> Array.length
        abs (Optim.stepDecay 0.005 milestones 0.1 it - 0.005 * 0.1 ** float passed) < 1e-15)
