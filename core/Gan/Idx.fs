namespace LoE.Core.Gan

open System
open System.IO
open System.IO.Compression
open LoE.Core

/// A file in the IDX format (MNIST's and Fashion-MNIST's): bytes 0, 0, a type code, a dimension count, one
/// big-endian int32 per dimension, then the values row-major. Gzipped files are read as they are shipped. The
/// bytes come from the host (host/Data/GanImages.cs reads the files).
module Idx =
    let private fail (name: string) (why: string) = raise (InvalidDataException($"{name}: {why}"))

    /// The file's bytes, gunzipped when they start with gzip's magic bytes 1f 8b.
    let private contents (name: string) (bytes: byte[]) : byte[] =
        if bytes.Length >= 2 && bytes.[0] = 0x1fuy && bytes.[1] = 0x8buy then
            try
                use gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress)
                use out = new MemoryStream()
                gz.CopyTo out
                out.ToArray()
            with :? InvalidDataException as e -> fail name $"not a valid gzip file ({e.Message})"
        else bytes

    /// Dimensions and unsigned-byte values of an IDX file's bytes; `name` is what errors call the file.
    let parse (name: string) (raw: byte[]) : int[] * byte[] =
        let bytes = contents name raw
        if bytes.Length < 4 then fail name $"{bytes.Length} bytes are too few for an IDX header"
        if bytes.[0] <> 0uy || bytes.[1] <> 0uy then
            fail name $"bad magic number {bytes.[0]:x2} {bytes.[1]:x2} {bytes.[2]:x2} {bytes.[3]:x2}: an IDX file starts with 00 00"
        if bytes.[2] <> 0x08uy then fail name $"type code {bytes.[2]:x2} is not 08 (unsigned byte), the only type image files use"
        let dims = int bytes.[3]
        if dims < 1 then fail name "an IDX file needs at least one dimension"
        let header = 4 + 4 * dims
        if bytes.Length < header then fail name $"truncated header: {dims} dimensions need {header} bytes, the file has {bytes.Length}"
        let shape = Array.init dims (fun i -> Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(ReadOnlySpan(bytes, 4 + 4 * i, 4)))
        if shape |> Array.exists (fun d -> d < 0) then fail name $"negative dimension in %A{shape}"
        let count = shape |> Array.fold (fun n d -> n * int64 d) 1L
        if int64 bytes.Length - int64 header < count then
            fail name $"truncated: shape %A{shape} needs {count} values, the file holds {bytes.Length - header}"
        shape, Array.sub bytes header (int count)

    /// Images [count; rows; cols] of an IDX file's bytes as one-channel images in [0, 1], centred on a side × side
    /// canvas of zeros (Fashion-MNIST's 28 × 28 padded to 32 × 32: a power of two, as the discriminator's stride-2
    /// pyramid wants).
    let images (name: string) (side: int) (raw: byte[]) : Image[] =
        let shape, values = parse name raw
        if shape.Length <> 3 then fail name $"an image file has 3 dimensions (count, rows, columns), this one %A{shape}"
        let count, rows, cols = shape.[0], shape.[1], shape.[2]
        if rows > side || cols > side then fail name $"images of {rows} × {cols} do not fit a {side} × {side} canvas"
        let top, left = (side - rows) / 2, (side - cols) / 2
        Array.init count (fun k ->
            let pixels = Array.zeroCreate (side * side)
            for r in 0 .. rows - 1 do
                for c in 0 .. cols - 1 do
                    pixels.[(top + r) * side + left + c] <- float32 values.[(k * rows + r) * cols + c] / 255.0f
            { Width = side; Height = side; Channels = 1; Pixels = pixels })
