using NAudio.Wave;

namespace LoE.Host.Tasks;

/// <summary>
/// A mono sound: samples in [−1, 1] at <paramref name="Rate"/> per second. As a signal it is 1-D: sample i sits
/// at the centre of the i-th of n cells of [0, 1], its value mapped to [0, 1] ((a + 1) / 2), so that PSNR and the
/// network's clamped output read as for images (a peak-to-peak range of 2 in the sound's units).
/// </summary>
public sealed record Sound(float[] Samples, int Rate)
{
    public Signal ToSignal() => new(size: [Samples.Length], channels: 1, values: [.. Samples.Select(a => (a + 1f) / 2f)]);

    public static Sound OfSignal(Signal s, int rate) => new([.. s.Values.Select(v => 2f * v - 1f)], rate);

    /// <summary>A WAV file's samples, its channels averaged into one (NAudio decodes PCM of 8–32 bits and float).</summary>
    public static Sound Read(string path)
    {
        using var reader = Open(path);
        var channels = reader.WaveFormat.Channels;
        var provider = reader.ToSampleProvider();
        var all = new List<float>();
        var buffer = new float[4096 * channels];
        for (int n; (n = provider.Read(buffer)) > 0;)
            all.AddRange(buffer.AsSpan(0, n));
        if (all.Count < channels) throw new InvalidDataException($"{path}: the WAV file holds no samples");
        var mono = new float[all.Count / channels];
        for (var i = 0; i < mono.Length; i++)
        {
            var sum = 0f;
            for (var c = 0; c < channels; c++) sum += all[i * channels + c];
            mono[i] = sum / channels;
        }
        return new Sound(mono, reader.WaveFormat.SampleRate);
    }

    private static WaveFileReader Open(string path)
    {
        try
        {
            return new WaveFileReader(path);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{path}: not a WAV file NAudio can read ({e.Message})", e);
        }
    }

    /// <summary>The sound as a 32-bit float WAV file's bytes (no rounding to 16 bits: what the network made).</summary>
    public byte[] ToWav()
    {
        var bytes = new MemoryStream();
        using (var writer = new WaveFileWriter(bytes, WaveFormat.CreateIeeeFloatWaveFormat(Rate, 1)))
            writer.WriteSamples(Samples, 0, Samples.Length);
        return bytes.ToArray(); // a MemoryStream gives its bytes after the writer has closed it
    }

    /// <summary>
    /// generated:chord: one second at 8 kHz of an A-major triad (220, 277.18 and 329.63 Hz, 0.2 each) under a slow
    /// swell, with a click half-way (a 2 kHz burst of amplitude 0.4 decaying in 5 ms): a smooth part a coarse
    /// layout fits, and a transient only fine experts can.
    /// </summary>
    public static Sound Chord()
    {
        const int rate = 8000;
        var samples = new float[rate];
        for (var i = 0; i < rate; i++)
        {
            var t = i / (double)rate;
            var chord = new[] { 220.0, 277.18, 329.63 }.Sum(f => 0.2 * Math.Sin(2 * Math.PI * f * t)) * (0.6 + 0.4 * Math.Sin(Math.PI * t));
            var click = t < 0.5 ? 0.0 : 0.4 * Math.Exp(-(t - 0.5) / 0.005) * Math.Sin(2 * Math.PI * 2000 * (t - 0.5));
            samples[i] = (float)(chord + click);
        }
        return new Sound(samples, rate);
    }
}
