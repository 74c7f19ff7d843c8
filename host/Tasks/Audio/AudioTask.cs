using System.Globalization;

namespace LoE.Host.Tasks;

/// <summary>
/// Fitting a sound (SIREN's audio experiment): time in, amplitude out, the MSE to the samples. Reported as PSNR
/// (the signal task's, on amplitudes mapped to [0, 1]) and SI-SNR; drawn as reconstruction.wav and waveform.png.
/// </summary>
public sealed class AudioTask : ITask
{
    public IReadOnlyList<string> SourceKeys { get; } = ["data.audio"];

    public (int Dims, string Name) Coordinates(DataConfig data) => (1, "audio");

    public PreparedRun Prepare(RunPlan run, DataCache cache)
    {
        var c = run.Config;
        var sound = cache.Load(c, "data.audio", DataCache.KeyOf(c), () => SoundOf(c));
        return new PreparedAudio(run, SignalSpecs.Model(c, [sound.Samples.Length]), SignalSpecs.Train(c), sound);
    }

    public Task<string> SummariseAsync(SummaryInput input) =>
        Summary.WritePsnrAsync(input, [new SummaryColumn("SI-SNR (dB)", "si_snr_db", c => Summary.Mean(c.Done.Select(r => r.Final!.Number("si_snr_db"))))],
            " A sound's PSNR is on its amplitudes mapped from [−1, 1] to [0, 1]; SI-SNR: the scale-invariant " +
            "signal-to-noise ratio of the reconstruction (both made zero-mean), mean over seeds; SSIM does not apply.");

    /// <summary>The sound drawn at --scale times its sample rate (the representation is continuous in time).</summary>
    public async Task<int> RenderAsync(RenderRequest r)
    {
        var (o, config) = (r.Options, r.Config);
        var samples = (r.Run.SignalSize ?? throw r.Older("signal_size"))[0];
        if (o.Frames is not null || o.Orbit is not null || o.Size.Any())
            throw new ConfigException(Origin.CommandLine("--scale"), null, "the run fitted a sound: give --scale S for S times its sample rate");
        var scale = o.Scale ?? 1.0;
        if (!(scale > 0)) throw new ConfigException(Origin.CommandLine("--scale"), null, $"must be positive, got {scale}");
        var rate = (int)Math.Round(RateOf(config) * scale);
        var count = (int)Math.Round(samples * scale);
        var checkpoint = Cli.RenderCommand.ReadCheckpoint(o.RunDir, r.Run, config, r.Output);
        var signal = Fit.renderWith(Cli.RenderCommand.Backend(o), SignalSpecs.Model(config, [samples]), checkpoint, [count], 1);
        var target = o.Out ?? Path.Combine(o.RunDir, $"render-{count.ToString(CultureInfo.InvariantCulture)}.wav");
        await AtomicFile.WriteBytesAsync(target, Sound.OfSignal(signal, rate).ToWav());
        r.Output.WriteLine($"{target}: {count} samples at {rate} Hz from {checkpoint.Iteration} iterations");
        return 0;
    }

    /// <summary>data.audio's sound: the generated chord, or the WAV file relative to the experiments file.</summary>
    private static Sound SoundOf(ResolvedConfig c) =>
        c.Data.Audio == DataConfig.GeneratedChord ? Sound.Chord() : Sound.Read(Path.GetFullPath(Path.Combine(c.BaseDirectory, c.Data.Audio!)));

    /// <summary>The sample rate of the run's sound, read again (config.yaml records the sample count only), so the
    /// sound must be there.</summary>
    private static int RateOf(ResolvedConfig c)
    {
        try
        {
            return SoundOf(c).Rate;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new ConfigException(c.Find("data.audio").Origin, "data.audio", $"{e.Message} (the sound's sample rate is needed to render)", e);
        }
    }
}

/// <summary>A sound to fit, with the model and the training that fit it.</summary>
public sealed record PreparedAudio(RunPlan Plan, ModelSpec Model, TrainSpec Train, Sound Sound) : PreparedRun(Plan)
{
    public override (int[] Size, int Channels) Shape => ([Sound.Samples.Length], 1);

    public override async Task<RunResult> TrainAsync(RunContext run)
    {
        var result = await Task.Run(() => Fit.runSignalWith(run.Backend, Model, Train, Sound.ToSignal(), run.Hooks), CancellationToken.None);
        var fitted = Sound.OfSignal(result.Output, Sound.Rate);
        var siSnr = SiSnr.Of(fitted.Samples, Sound.Samples);
        await AtomicFile.WriteBytesAsync(run.Folder.File("reconstruction.wav"), fitted.ToWav());
        await WaveformPlot.WriteAsync(run.Folder.File("waveform.png"), Sound, fitted,
            $"{Plan.Id}: PSNR {result.PsnrDb:0.00} dB, SI-SNR {siSnr:0.00} dB");
        return new RunResult(RunNumbers.Of(result), json => RunFolder.Number(json, "si_snr_db", siSnr));
    }
}
