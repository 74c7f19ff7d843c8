using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace LoE.Host.Output;

/// <summary>
/// checkpoint.bin: a <see cref="Checkpoint"/> in a compact binary form. Layout (little-endian): the magic
/// "LOECKPT\0", a format version, the run's configuration hash, the payload, and a SHA-256 of everything before
/// it, so that a file from another run, another format or a damaged disk is refused rather than half-loaded.
/// Format 2 adds each history row's held-out PSNR (scene.eval_every); format 1 files still load, with none.
/// </summary>
public static class CheckpointFile
{
    public const string FileName = "checkpoint.bin";
    private static readonly byte[] Magic = "LOECKPT\0"u8.ToArray();
    private const int Version = 2;

    /// <summary>Writes atomically (temporary file, sync, rename): a kill at any moment leaves the previous checkpoint or this one.</summary>
    public static Task WriteAsync(string path, Checkpoint c, string configHash) =>
        AtomicFile.WriteBytesAsync(path, Encode(c, configHash));

    /// <summary>The file's bytes; <paramref name="version"/> 1 writes the format before held-out PSNR (what older
    /// runs left behind, for tests that they still load).</summary>
    public static byte[] Encode(Checkpoint c, string configHash, int version = Version)
    {
        if (version is < 1 or > Version) throw new ArgumentOutOfRangeException(nameof(version), $"formats 1 to {Version}, got {version}");
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(version);
            w.Write(configHash);
            w.Write(c.Iteration);
            w.Write(c.Seconds);
            w.Write(c.AdamStep);
            w.Write(c.Names.Length);
            for (var i = 0; i < c.Names.Length; i++)
            {
                w.Write(c.Names[i]);
                w.Write(c.Shapes[i].Length);
                foreach (var d in c.Shapes[i]) w.Write(d);
                Doubles(w, c.Parameters[i]);
                Doubles(w, c.AdamM[i]);
                Doubles(w, c.AdamV[i]);
            }
            w.Write(c.History.Length);
            foreach (var p in c.History)
            {
                w.Write(p.Iteration);
                w.Write(p.Loss);
                w.Write(p.PsnrDb);
                w.Write(p.LearningRate);
                w.Write(p.Seconds);
                if (version >= 2) w.Write(p.TestPsnrDb);
            }
        }
        var body = buffer.ToArray();
        return [.. body, .. SHA256.HashData(body)];
    }

    /// <summary>Reads a checkpoint; throws <see cref="InvalidDataException"/> when the file is damaged or belongs to another configuration.</summary>
    public static Checkpoint Read(string path, string configHash)
    {
        var bytes = File.ReadAllBytes(path);
        const int digest = 32;
        if (bytes.Length < Magic.Length + digest || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not a LoE checkpoint");
        var body = bytes.AsSpan(0, bytes.Length - digest);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - digest)))
            throw new InvalidDataException($"{path}: checksum mismatch (damaged file)");
        using var r = new BinaryReader(new MemoryStream(bytes, 0, body.Length));
        r.ReadBytes(Magic.Length);
        var version = r.ReadInt32();
        if (version is < 1 or > Version) throw new InvalidDataException($"{path}: checkpoint format {version}, this loe reads 1 to {Version}");
        var hash = r.ReadString();
        if (hash != configHash) throw new InvalidDataException($"{path}: written for configuration {hash}, not {configHash}");
        var iteration = r.ReadInt32();
        var seconds = r.ReadDouble();
        var adamStep = r.ReadInt32();
        var n = r.ReadInt32();
        var (names, shapes) = (new string[n], new int[n][]);
        var (ps, ms, vs) = (new double[n][], new double[n][], new double[n][]);
        for (var i = 0; i < n; i++)
        {
            names[i] = r.ReadString();
            shapes[i] = new int[r.ReadInt32()];
            for (var d = 0; d < shapes[i].Length; d++) shapes[i][d] = r.ReadInt32();
            ps[i] = Doubles(r);
            ms[i] = Doubles(r);
            vs[i] = Doubles(r);
        }
        var history = new Progress[r.ReadInt32()];
        for (var i = 0; i < history.Length; i++)
            history[i] = new Progress(r.ReadInt32(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble(), version >= 2 ? r.ReadDouble() : double.NaN);
        return new Checkpoint(iteration, names, shapes, ps, adamStep, ms, vs, history, seconds);
    }

    // Raw little-endian doubles: exact (parameters round-trip bit for bit) and fast for megabytes of weights.
    private static void Doubles(BinaryWriter w, double[] values)
    {
        w.Write(values.Length);
        w.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static double[] Doubles(BinaryReader r)
    {
        var values = new double[r.ReadInt32()];
        var bytes = r.ReadBytes(values.Length * sizeof(double));
        if (bytes.Length != values.Length * sizeof(double)) throw new InvalidDataException("checkpoint ends early");
        bytes.AsSpan().CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }
}
