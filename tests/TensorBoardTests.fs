/// The TensorBoard curves a run writes, read back by a reader written from the format's definition (TFRecord framing,
/// tensorflow/core/util/event.proto and summary.proto), not by the writer's library.
module LoE.Tests.TensorBoardTests

open System
open System.IO
open Xunit
open LoE.Core
open LoE.Host.Running

/// A protobuf message's fields as (number, wire type, payload): varints as their value, fixed 32/64-bit fields as
/// their raw bits, length-delimited fields as their bytes.
let private fields (bytes: byte[]) =
    let mutable i = 0
    let varint () =
        let mutable value, shift, go = 0UL, 0, true
        while go do
            let b = bytes.[i]
            i <- i + 1
            value <- value ||| (uint64 (b &&& 0x7Fuy) <<< shift)
            shift <- shift + 7
            go <- b &&& 0x80uy <> 0uy
        value
    [ while i < bytes.Length do
        let key = varint ()
        let number, wire = int (key >>> 3), int (key &&& 7UL)
        match wire with
        | 0 -> yield number, wire, box (varint ())
        | 1 -> yield number, wire, box (BitConverter.ToUInt64(bytes, i)); i <- i + 8
        | 5 -> yield number, wire, box (BitConverter.ToUInt32(bytes, i)); i <- i + 4
        | 2 ->
            let n = int (varint ())
            yield number, wire, box bytes.[i .. i + n - 1]
            i <- i + n
        | other -> failwith $"wire type {other}" ]

/// The records of a TFRecord file: each is a little-endian uint64 length, a 4-byte CRC of it, the data, a CRC of it.
let private records (path: string) =
    let bytes = File.ReadAllBytes path
    let mutable i = 0
    [ while i < bytes.Length do
        let n = int (BitConverter.ToUInt64(bytes, i))
        yield bytes.[i + 12 .. i + 12 + n - 1]
        i <- i + 12 + n + 4 ]

/// (step, tag, value) of every scalar in an event file: Event.step = 2, Event.summary = 5, Summary.value = 1,
/// Value.tag = 1, Value.simple_value = 2 (float).
let private scalars (path: string) =
    [ for record in records path do
        let event = fields record
        let step = event |> List.tryPick (fun (n, _, v) -> if n = 2 then Some(int64 (unbox<uint64> v)) else None)
        for (n, _, summary) in event do
            if n = 5 then
                for (m, _, value) in fields (unbox<byte[]> summary) do
                    if m = 1 then
                        let v = fields (unbox<byte[]> value)
                        let tag = v |> List.pick (fun (k, _, x) -> if k = 1 then Some(Text.Encoding.UTF8.GetString(unbox<byte[]> x)) else None)
                        let simple = v |> List.pick (fun (k, _, x) -> if k = 2 then Some(BitConverter.UInt32BitsToSingle(unbox<uint32> x)) else None)
                        yield defaultArg step 0L, tag, simple ]

[<Fact>]
let ``each progress report becomes loss and psnr_db scalars at its iteration, test/psnr_db only where measured`` () =
    let folder = Directory.CreateTempSubdirectory("loe-tb-").FullName
    let log = TensorBoardLog(folder, fun warning -> failwith warning)
    let report it loss psnr test = log.Add { Iteration = it; Loss = loss; PsnrDb = psnr; LearningRate = 0.01; Seconds = 1.0; TestPsnrDb = test }
    report 10 0.5 3.0 nan
    report 20 0.25 6.0 7.5
    let file = Directory.GetFiles(folder) |> Array.exactlyOne
    // TorchSharp's writer flushes each event as it is added.
    let expected =
        [ 10L, "loss", 0.5f; 10L, "psnr_db", 3.0f
          20L, "loss", 0.25f; 20L, "psnr_db", 6.0f; 20L, "test/psnr_db", 7.5f ]
    Assert.Equal<(int64 * string * float32) list>(expected, scalars file)
