/// The GAN collapse warning (host/Tasks/Gan/CollapseWatch.cs) against a direct scan of the logged losses.
module LoE.Tests.CollapseWatchTests

open FsCheck.FSharp
open FsCheck.Xunit
open LoE.Host.Tasks
open LoE.Tests.Generators

/// Logged iterations (a random step apart) and losses, each at or under the floor or above it, in runs.
let private logs =
    gen {
        let! n = Gen.choose (1, 60)
        let! steps = Gen.arrayOfLength n (Gen.choose (1, 50))
        let! low = Gen.arrayOfLength n (Gen.frequency [ 3, Gen.constant true; 1, Gen.constant false ])
        let! values = Gen.arrayOfLength n (Gen.choose (0, 1000))
        let its = Array.scan (+) 0 steps |> Array.tail
        let loss i = if low.[i] then CollapseWatch.Floor * float values.[i] / 1000.0 else CollapseWatch.Floor + 0.001 + float values.[i] / 100.0
        let! span = Gen.choose (0, 300)
        return span, Array.init n (fun i -> its.[i], loss i)
    }

[<Property(MaxTest = 300)>]
let ``it warns once, at the first log that ends a span of logs at the floor, naming where that stretch began`` () =
    forAll logs (fun (span, log) ->
        let watch = CollapseWatch(span)
        let said = log |> Array.mapi (fun k (it, l) -> k, watch.Observe(it, l)) |> Array.filter (fun (_, w) -> w <> null)
        // The scan: the start of the current stretch at the floor, and the first log where it spans `span`.
        let expected =
            log
            |> Array.scan (fun (start, _) (it, l) -> if l <= CollapseWatch.Floor then (Option.orElse (Some it) start, Some it) else (None, Some it)) (None, None)
            |> Array.tail
            |> Array.tryFindIndex (fun (start, it) -> match start, it with Some s, Some i -> i - s >= span | _ -> false)
        match expected, said with
        | None, [||] -> true
        | Some k, [| (k', w) |] ->
            let start = log |> Array.take (k + 1) |> Array.rev |> Array.takeWhile (fun (_, l) -> l <= CollapseWatch.Floor) |> Array.last |> fst
            k = k' && w.Contains $"since iteration {start}:"
        | _ -> false)
