using System.Text.Json;
using LoE.Core.Gan;
using LoE.Host.Data;
using LoE.Host.Metrics;

namespace LoE.Host.Tasks;

/// <summary>A generator learning a set of images against a discriminator (section E), scored by FD and KID.</summary>
public sealed class GanTask : ITask
{
    public IReadOnlyList<string> SourceKeys { get; } = ["data.images"];

    public (int Dims, string Name) Coordinates(DataConfig data) => (2, "image");

    public PreparedRun Prepare(RunPlan run, DataCache cache)
    {
        var c = run.Config;
        // The rows of a table train on the same images: loaded once.
        var images = cache.Load(c, "data.images", DataCache.KeyOf(c), () => GanImages.Load(c.Data, c.BaseDirectory));
        var channels = images[0].Channels;
        return new PreparedGan(run, GanSpecs.Generator(c, channels), GanSpecs.Discriminator(c, channels), GanSpecs.Training(c), images, c.Gan);
    }

    public Task<string> SummariseAsync(SummaryInput input) => GanSummary.WriteAsync(input);

    public Task<int> RenderAsync(RenderRequest r) =>
        throw new ConfigException(Origin.CommandLine(r.Options.RunDir), null, "this run trained a GAN (data.images): draw its images with `loe sample`");

    /// <summary>final.json's iteration where the discriminators' loss began a collapse (absent: it did not).</summary>
    public const string CollapsedSinceKey = "collapsed_since";

    /// <summary>final.json's scores: FD and KID with what they were measured on, and the real-against-real floor
    /// (real_floor_*: FD and KID between two halves of real images, images per half).</summary>
    public static void WriteScores(Utf8JsonWriter json, GanScores gan)
    {
        json.WriteString("features", gan.Network);
        RunFolder.Number(json, "fd", gan.Fd);
        RunFolder.Number(json, "kid", gan.KidMean);
        RunFolder.Number(json, "kid_std", gan.KidStd);
        json.WriteNumber("real_images", gan.RealCount);
        json.WriteNumber("generated_images", gan.FakeCount);
        if (gan.Floor is not { } floor) return;
        RunFolder.Number(json, "real_floor_fd", floor.Fd);
        RunFolder.Number(json, "real_floor_kid", floor.KidMean);
        json.WriteNumber("real_floor_images", floor.RealCount);
    }
}

/// <summary>A GAN to train on images, and how its samples are drawn and scored (the gan section).</summary>
public sealed record PreparedGan(RunPlan Plan, GeneratorSpec Generator, DiscriminatorSpec Discriminator, GanTrain Train, Image[] Images, GanConfig Settings)
    : PreparedRun(Plan)
{
    public override (int[] Size, int Channels) Shape => ([Images[0].Width, Images[0].Height], Images[0].Channels);

    public override async Task<RunResult> TrainAsync(RunContext run)
    {
        var (fit, scores, collapsedSince) = await GanRunner.TrainAsync(run, this);
        return new RunResult(fit, json =>
        {
            GanTask.WriteScores(json, scores);
            if (collapsedSince is { } since) json.WriteNumber(GanTask.CollapsedSinceKey, since);
        });
    }
}
