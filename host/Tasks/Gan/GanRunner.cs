using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using LoE.Core.Gan;
using LoE.Host.Metrics;

namespace LoE.Host.Tasks;

/// <summary>
/// A GAN run (section E): trained through the one loop with a grid of samples written every gan.sample_every
/// iterations, then drawn (samples.png, interpolation.png, losses.png) and scored: the Fréchet distance and KID
/// between gan.eval_samples generated and as many real images, on a pretrained network's features.
/// </summary>
public static class GanRunner
{
    /// <summary>Latents of the sample grids, fixed per run so that grids of different iterations show the same z.</summary>
    public static int GridSeed(int runSeed) => 1_000_000 + runSeed;

    /// <summary>Latents of the images FD and KID score: a range no grid uses.</summary>
    private static int EvalSeed(int runSeed, int chunk) => 2_000_000 + 10_000 * runSeed + chunk;

    private static readonly ConditionalWeakTable<Image[], ConcurrentDictionary<string, Lazy<double[]>>> RealFeatures = new();

    /// <summary>Iterations the discriminators' loss stays at <see cref="CollapseWatch.Floor"/> before a run warns of a collapse.</summary>
    private const int CollapseSpan = 500;

    /// <summary>Images generated and featurised at a time when scoring (memory, not results).</summary>
    private const int Chunk = 250;

    /// <summary>What a GAN run adds to final.json: its scores, and where its discriminators' loss began a collapse
    /// (<see cref="CollapseWatch"/>; null: none).</summary>
    public sealed record Outcome(RunNumbers Result, GanScores Scores, int? CollapsedSince);

    public static async Task<Outcome> TrainAsync(RunContext run, PreparedGan g)
    {
        var (folder, backend, hooks, message, config) = (run.Folder, run.Backend, run.Hooks, run.Message, g.Plan.Config);
        var (s, t, side) = (g.Settings, g.Train, g.Images[0].Width);
        var seed = t.Seed;
        Image Grid(string[] names, int[][] shapes, double[][] values) =>
            Training.grid(8, Training.samplesWith(backend, g.Generator, names, shapes, values, side, s.SampleGrid, GridSeed(seed)));

        // The loop hands out snapshots every gcd(checkpoint_every, sample_every) iterations; each goes where it is due.
        var (checkpointEvery, sampleEvery) = (hooks.CheckpointEvery, s.SampleEvery);
        var every = checkpointEvery == 0 ? sampleEvery : sampleEvery == 0 ? checkpointEvery : Gcd(checkpointEvery, sampleEvery);
        void OnSnapshot(Checkpoint c)
        {
            if (checkpointEvery > 0 && (c.Iteration % checkpointEvery == 0 || c.Iteration == t.Iterations)) hooks.OnCheckpoint.Invoke(c);
            if (sampleEvery > 0 && c.Iteration % sampleEvery == 0)
                folder.WriteSamplesAsync(c.Iteration, Grid(c.Names, c.Shapes, c.Parameters)).GetAwaiter().GetResult();
        }
        var watch = new CollapseWatch(CollapseSpan);
        void OnProgress(Progress p)
        {
            hooks.OnProgress.Invoke(p);
            if (watch.Observe(p.Iteration, p.Loss) is { } warning) message(warning);
        }
        var wrapped = new FitHooks(OnProgress, every, OnSnapshot, hooks.Resume, hooks.Cancel);
        var result = await Task.Run(() => Training.trainWith(backend, g.Generator, g.Discriminator, t, g.Images, wrapped), CancellationToken.None);

        var grid = Grid(result.Names, result.Shapes, result.Values);
        await folder.WriteSamplesAsync(t.Iterations, grid);
        await folder.WriteGanPicturesAsync(grid, Interpolations(backend, g, result, side, seed), [.. result.Losses.Select(l => l.ToValueTuple())]);

        // Scoring takes minutes: Ctrl-C stops it between chunks, and the final checkpoint lets a rerun score again.
        var (scores, generated, real) = await Task.Run(() => Score(backend, g, config, result, side, seed, message, hooks.Cancel), hooks.Cancel);
        await SpectrumPlot.WriteAsync(folder.File("spectrum.csv"), folder.File("spectrum.png"), generated, real);
        var lastD = result.Losses.Length > 0 ? result.Losses[^1].Item2 : double.NaN;
        // The paper's tables count the generator (the discriminator is training machinery).
        var fit = new RunNumbers(double.NaN, double.NaN, lastD, t.Iterations, result.TrainSeconds, result.History,
            result.GeneratorParameters, 4 * result.GeneratorParameters, result.MultiplyAdds);
        // Found again over the whole history: the live watch began at the resumed iteration.
        return new Outcome(fit, scores, CollapseWatch.Find(result.History, CollapseSpan));
    }

    /// <summary>Four strips of 8 images along straight lines between pairs of latents.</summary>
    private static Image Interpolations(BackendSpec backend, PreparedGan g, GanResult r, int side, int seed) =>
        Training.grid(8, Enumerable.Range(0, 4)
            .SelectMany(k => Training.interpolationWith(backend, g.Generator, r.Names, r.Shapes, r.Values, side, 8,
                GridSeed(seed) + 100 + 2 * k, GridSeed(seed) + 101 + 2 * k))
            .ToArray());

    /// <summary>
    /// FD and KID between gan.eval_samples generated images and as many real ones (all of them when there are
    /// fewer; drawn without replacement from the run's seed), featurised a chunk at a time so that 50k images at
    /// 256² never sit in memory together; with them the real-against-real floor (<see cref="Floor"/>), and the
    /// power spectra of the same generated and real images.
    /// </summary>
    private static (GanScores, PowerSpectrum Generated, PowerSpectrum Real) Score(BackendSpec backend, PreparedGan g, ResolvedConfig config, GanResult r, int side, int seed, Action<string> message, CancellationToken cancel)
    {
        var s = g.Settings;
        using var net = s.IsInception
            ? FeatureNetworks.InceptionFid(Path.GetFullPath(Path.Combine(config.BaseDirectory, s.InceptionWeights!)))
            : FeatureNetworks.ResNet18(backend.Threads);
        var n = s.EvalSamples;
        message($"scoring: {net.Name} features of {n} generated and {Math.Min(n, g.Images.Length)} real images");

        var fake = new List<double>();
        var generated = new PowerSpectrum(side, side);
        for (var (start, chunk) = (0, 0); start < n; start += Chunk, chunk++)
        {
            cancel.ThrowIfCancellationRequested();
            var images = Training.samplesWith(backend, g.Generator, r.Names, r.Shapes, r.Values, side, Math.Min(Chunk, n - start), EvalSeed(seed, chunk));
            fake.AddRange(net.Features(images));
            foreach (var im in images) generated.Add(im);
        }
        var real = RealFeaturesOf(net, g.Images, seed, n, cancel);
        var realSpectrum = new PowerSpectrum(side, side);
        foreach (var i in RealDraw(g.Images.Length, seed, n)) realSpectrum.Add(g.Images[i]);
        return (GanScoring.OfFeatures(net.Name, net.Dimension, real, [.. fake], seed) with { Floor = Floor(net, g.Images, n, cancel) },
            generated, realSpectrum);
    }

    /// <summary>The real images a floor splits: those a seed-0 run scores against, whatever the run's seed, so that
    /// every row and seed of a table shows the same floor.</summary>
    public const int FloorSeed = 0;

    private static readonly ConditionalWeakTable<Image[], ConcurrentDictionary<string, Lazy<GanScores?>>> Floors = new();

    /// <summary>
    /// Real against real: FD and KID between the first and the second half of the real images a seed-0 run scores
    /// (min(gan.eval_samples, set size) drawn by seed 0, in their drawn order; ⌊that/2⌋ each), computed once per
    /// image set, network and count.
    /// </summary>
    private static GanScores? Floor(IFeatureNetwork net, Image[] images, int n, CancellationToken cancel) =>
        Once(Floors.GetOrCreateValue(images), $"{net.Name}|{n}",
            () => GanScoring.RealFloor(net.Name, net.Dimension, RealFeaturesOf(net, images, FloorSeed, n, cancel), FloorSeed));

    /// <summary>Features of min(n, set size) real images drawn without replacement by <paramref name="seed"/>; the
    /// rows of a table score against the same real images (same set, seed and count): featurised once.</summary>
    private static double[] RealFeaturesOf(IFeatureNetwork net, Image[] images, int seed, int n, CancellationToken cancel) =>
        Once(RealFeatures.GetOrCreateValue(images), $"{net.Name}|{seed}|{n}", () =>
        {
            var real = new List<double>();
            foreach (var part in RealDraw(images.Length, seed, n).Chunk(Chunk))
            {
                cancel.ThrowIfCancellationRequested();
                real.AddRange(net.Features(part.Select(i => images[i]).ToArray()));
            }
            return [.. real];
        });

    /// <summary>
    /// <paramref name="make"/>'s value, made once per key: runs scoring at once wait only for the same key (two
    /// seeds' real features are made side by side, not one after the other, as under one lock), and a make that
    /// failed or was cancelled is not kept.
    /// </summary>
    private static T Once<T>(ConcurrentDictionary<string, Lazy<T>> cache, string key, Func<T> make)
    {
        var lazy = cache.GetOrAdd(key, _ => new Lazy<T>(make));
        try { return lazy.Value; }
        catch { cache.TryRemove(new KeyValuePair<string, Lazy<T>>(key, lazy)); throw; }
    }

    /// <summary>Indices of the min(n, count) real images a run of <paramref name="seed"/> scores against.</summary>
    private static int[] RealDraw(int count, int seed, int n)
    {
        var indices = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(indices);
        return indices[..Math.Min(n, count)];
    }

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
