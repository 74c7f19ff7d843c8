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
        // The scan: at each log, where the current stretch at the floor began (if in one); the first log where that
        // stretch spans `span` iterations is where the warning is due.
        let starts =
            log |> Array.scan (fun start (it, l) -> if l <= CollapseWatch.Floor then Option.orElse (Some it) start else None) None |> Array.tail
        let due = Array.zip starts log |> Array.tryFindIndex (fun (start, (it, _)) -> start |> Option.exists (fun s -> it - s >= span))
        match due, said with
        | None, [||] -> true
        | Some k, [| (k', w) |] -> k = k' && w.Contains $"since iteration {starts.[k].Value}:"
        | _ -> false)

[<Property(MaxTest = 300)>]
let ``over a whole logged history it finds where the first stretch at the floor long enough began, or none`` () =
    forAll logs (fun (span, log) ->
        let history =
            log |> Array.map (fun (it, l) -> ({ Iteration = it; Loss = l; PsnrDb = nan; LearningRate = 0.0; Seconds = 0.0; TestPsnrDb = nan }: LoE.Core.Progress))
        // The direct scan: carry the current stretch's start; the first time a log lies `span` past it, that start.
        let found, _ =
            log |> Array.fold (fun (found, start) (it, l) ->
                if l > CollapseWatch.Floor then found, None
                else
                    let s = defaultArg start it
                    (if Option.isNone found && it - s >= span then Some s else found), Some s) (None, None)
        Option.toNullable found = CollapseWatch.Find(history, span))
