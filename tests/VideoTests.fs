module LoE.Tests.VideoTests

open System
open System.IO
open Xunit
open LoE.Core
open LoE.Host.Data

let private tempFolder () =
    let d = Path.Combine(Path.GetTempPath(), "loe-video-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory d |> ignore
    d

/// Frame f, pixel i, channel c of the test video: distinct multiples of 1/255, so PNG stores them exactly.
let private value f i c = float32 ((37 * f + 11 * i + 5 * c) % 256) / 255f

[<Fact>]
let ``a folder of frames loads in name order as a width × height × frames signal`` () =
    let dir = tempFolder ()
    try
        let w, h, frames = 5, 4, 3
        // Written in reverse so that only sorting by name puts them in order.
        for f in frames - 1 .. -1 .. 0 do
            let image = { Width = w; Height = h; Channels = 3; Pixels = Array.init (w * h * 3) (fun k -> value f (k / 3) (k % 3)) }
            File.WriteAllBytes(Path.Combine(dir, $"frame-{f:D3}.png"), ImageFile.EncodePng image)
        let s = VideoFile.Load(dir, "/", null, Nullable())
        Assert.Equal<int[]>([| w; h; frames |], s.Size)
        Assert.Equal(3, s.Channels)
        for f in 0 .. frames - 1 do
            for i in 0 .. w * h - 1 do
                for c in 0 .. 2 do Assert.Equal(value f i c, s.Values.[(f * w * h + i) * 3 + c])
        Assert.Equal(2, (VideoFile.Load(dir, "/", null, Nullable 2)).Size.[2])
    finally Directory.Delete(dir, true)

/// A minimal animated GIF: a 4-colour global palette and frames of palette indices, LZW-coded with a clear code
/// before every pixel so that the code width stays 3 bits (valid, if not small).
let private gif (width: int) (height: int) (palette: byte[]) (frames: int[][]) =
    use m = new MemoryStream()
    let u16 (x: int) = m.WriteByte(byte (x &&& 255)); m.WriteByte(byte (x >>> 8))
    m.Write("GIF89a"B, 0, 6)
    u16 width; u16 height
    m.WriteByte 0x91uy; m.WriteByte 0uy; m.WriteByte 0uy  // global table of 4 colours
    m.Write(palette, 0, 12)
    for pixels in frames do
        m.Write([| 0x21uy; 0xF9uy; 4uy; 4uy; 10uy; 0uy; 0uy; 0uy |], 0, 8)  // graphic control: keep, 0.1 s
        m.WriteByte 0x2Cuy; u16 0; u16 0; u16 width; u16 height; m.WriteByte 0uy
        m.WriteByte 2uy  // LZW minimum code size
        let codes = [ for p in pixels do yield 4; yield p ] @ [ 5 ]
        let bits = Collections.Generic.List<byte>()
        let mutable acc, n = 0, 0
        for code in codes do
            acc <- acc ||| (code <<< n)
            n <- n + 3
            while n >= 8 do
                bits.Add(byte (acc &&& 255)); acc <- acc >>> 8; n <- n - 8
        if n > 0 then bits.Add(byte acc)
        for chunk in bits |> Seq.chunkBySize 255 do
            m.WriteByte(byte chunk.Length); m.Write(chunk, 0, chunk.Length)
        m.WriteByte 0uy
    m.WriteByte 0x3Buy
    m.ToArray()

[<Fact>]
let ``an animated GIF loads every frame`` () =
    let dir = tempFolder ()
    try
        let palette = [| 0uy; 0uy; 0uy; 255uy; 0uy; 0uy; 0uy; 255uy; 0uy; 0uy; 0uy; 255uy |]
        let frames = [| [| 0; 1; 2; 3; 3; 2 |]; [| 3; 3; 1; 1; 0; 2 |] |]
        let path = Path.Combine(dir, "clip.gif")
        File.WriteAllBytes(path, gif 3 2 palette frames)
        let s = VideoFile.Load("clip.gif", dir, null, Nullable())
        Assert.Equal<int[]>([| 3; 2; 2 |], s.Size)
        for f in 0 .. 1 do
            for i in 0 .. 5 do
                for c in 0 .. 2 do
                    Assert.Equal(float32 palette.[frames.[f].[i] * 3 + c] / 255f, s.Values.[(f * 6 + i) * 3 + c])
    finally Directory.Delete(dir, true)

[<Fact>]
let ``the generated pan-zoom video has the asked size and moves from frame to frame`` () =
    let repo = Path.GetFullPath(Path.Combine(__SOURCE_DIRECTORY__, ".."))
    let s = VideoFile.Load("generated:pan-zoom:data/astronaut.png", repo, [| 16; 12 |], Nullable 4)
    Assert.Equal<int[]>([| 16; 12; 4 |], s.Size)
    let frame f = s.Values.[f * 16 * 12 * 3 .. (f + 1) * 16 * 12 * 3 - 1]
    Assert.NotEqual<float32[]>(frame 0, frame 3)
    Assert.True(s.Values |> Array.forall (fun v -> v >= 0f && v <= 1f))
    // Deterministic: the same call gives the same video.
    Assert.Equal<float32[]>(s.Values, (VideoFile.Load("generated:pan-zoom:data/astronaut.png", repo, [| 16; 12 |], Nullable 4)).Values)

[<Fact>]
let ``a video file without ffmpeg installed gives a clear error that says what to do`` () =
    let onPath tool =
        (Environment.GetEnvironmentVariable "PATH" |> string).Split(':')
        |> Array.exists (fun d -> File.Exists(Path.Combine(d, tool)))
    if not (onPath "ffmpeg") then
        let dir = tempFolder ()
        try
            File.WriteAllBytes(Path.Combine(dir, "clip.mp4"), [| 0uy |])
            let e = Assert.Throws<InvalidDataException>(fun () -> VideoFile.Load("clip.mp4", dir, [| 8; 8 |], Nullable()) |> ignore)
            Assert.Contains("ffmpeg", e.Message)
            Assert.Contains("folder of frames", e.Message)
        finally Directory.Delete(dir, true)
