/// The IDX reader (core/Gan/Idx.fs, host/Data/GanImages.cs) on files the tests write themselves.
module LoE.Tests.GanDataTests

open System
open System.IO
open System.IO.Compression
open Xunit
open LoE.Core.Gan

/// IDX bytes of unsigned-byte images [count; rows; cols] with pixel (k, r, c) = (k * 31 + r * 7 + c) mod 256.
let private idx (count: int) (rows: int) (cols: int) =
    let header = [| 0uy; 0uy; 8uy; 3uy |]
    let dim (d: int) = BitConverter.GetBytes d |> Array.rev
    let values = Array.init (count * rows * cols) (fun i -> let k, r, c = i / (rows * cols), (i / cols) % rows, i % cols in byte ((k * 31 + r * 7 + c) % 256))
    Array.concat [ header; dim count; dim rows; dim cols; values ]

let private gzip (bytes: byte[]) =
    use out = new MemoryStream()
    (use gz = new GZipStream(out, CompressionLevel.Fastest)
     gz.Write(bytes, 0, bytes.Length))
    out.ToArray()

[<Fact>]
let ``IDX images are read as values in [0, 1], centred on the padded canvas`` () =
    let images = Idx.images "t" 8 (idx 3 4 6)
    Assert.Equal(3, images.Length)
    let im = images.[2]
    Assert.Equal((8, 8, 1), (im.Width, im.Height, im.Channels))
    // 4 × 6 on 8 × 8: 2 rows above, 1 column to the left.
    Assert.Equal(float32 ((2 * 31 + 1 * 7 + 3) % 256) / 255.0f, im.Pixels.[(2 + 1) * 8 + 1 + 3])
    Assert.Equal(0.0f, im.Pixels.[0])
    Assert.Equal(0.0f, im.Pixels.[1 * 8 + 1])
    Assert.True(im.Pixels |> Array.forall (fun v -> v >= 0.0f && v <= 1.0f))

[<Fact>]
let ``a gzipped IDX file reads the same as the plain one`` () =
    let plain = Idx.images "t" 8 (idx 2 5 5)
    let zipped = Idx.images "t.gz" 8 (gzip (idx 2 5 5))
    Assert.Equal<float32[]>(plain |> Array.collect (fun i -> i.Pixels), zipped |> Array.collect (fun i -> i.Pixels))

[<Fact>]
let ``bad magic, truncation and a missing file are errors that name the file`` () =
    let bytes = idx 2 4 4
    let bad = Array.copy bytes
    bad.[1] <- 7uy
    let e1 = Assert.Throws<InvalidDataException>(fun () -> Idx.images "weird-file" 8 bad |> ignore)
    Assert.Contains("weird-file", e1.Message)
    Assert.Contains("magic", e1.Message)
    let e2 = Assert.Throws<InvalidDataException>(fun () -> Idx.images "short-file" 8 bytes.[.. bytes.Length - 2] |> ignore)
    Assert.Contains("short-file", e2.Message)
    Assert.Contains("truncated", e2.Message)
    let e3 = Assert.Throws<InvalidDataException>(fun () -> Idx.images "tiny-file" 8 bytes.[.. 9] |> ignore)
    Assert.Contains("tiny-file", e3.Message)
    let folder = Path.Combine(Path.GetTempPath(), $"loe-idx-{Guid.NewGuid():N}")
    let e4 = Assert.Throws<FileNotFoundException>(fun () -> LoE.Host.Data.GanImages.FashionMnist(folder, 32) |> ignore)
    Assert.Contains(folder, e4.Message)
    Assert.Contains("dataset-fashion-mnist", e4.Message)

[<Fact>]
let ``Fashion-MNIST is found in a folder as plain or gzipped IDX`` () =
    let folder = Directory.CreateTempSubdirectory("loe-idx-").FullName
    try
        File.WriteAllBytes(Path.Combine(folder, "train-images-idx3-ubyte.gz"), gzip (idx 3 28 28))
        let images = LoE.Host.Data.GanImages.FashionMnist(folder, 32)
        Assert.Equal(3, images.Length)
        Assert.Equal(32, images.[0].Width)
    finally Directory.Delete(folder, true)
