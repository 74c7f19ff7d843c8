namespace LoE.Host.Tasks;

/// <summary>
/// Watches a GAN's logged discriminator loss for a collapse: a loss at or below <see cref="Floor"/> at every logged
/// iteration for <paramref name="span"/> iterations means the discriminators tell real from generated images apart
/// and the generator has stopped learning (gan-quick's Ours on seed 3 drew black images from iteration 250 on, its
/// loss under 0.17 from iteration 300 to the end). Healthy gan-quick runs log about 1–4 and dip below the floor only
/// briefly early on (PE + CE on seed 4: 20–40 iterations at a time before iteration 200). Says so once, naming the
/// first iteration of that stretch.
/// </summary>
public sealed class CollapseWatch(int span)
{
    /// <summary>A sixteenth of the loss at chance: two discriminators whose hinge losses are 2 each when they output 0.</summary>
    public const double Floor = 0.25;

    private int? _since;

    /// <summary>The first iteration of the stretch it warned of; null while it has not warned.</summary>
    public int? CollapsedSince { get; private set; }

    /// <summary>Where a whole logged history (metrics.csv's, resumed runs included) first stays at the floor for
    /// <paramref name="span"/> iterations; null when it never does.</summary>
    public static int? Find(IEnumerable<LoE.Core.Progress> history, int span)
    {
        var watch = new CollapseWatch(span);
        foreach (var p in history) watch.Observe(p.Iteration, p.Loss);
        return watch.CollapsedSince;
    }

    /// <summary>The warning, the first time a stretch at the floor spans <c>span</c> iterations; null otherwise.</summary>
    public string? Observe(int iteration, double discriminatorLoss)
    {
        if (!(discriminatorLoss <= Floor)) { _since = null; return null; }
        _since ??= iteration;
        if (CollapsedSince is not null || iteration - _since < span) return null;
        CollapsedSince = _since;
        return $"warning: the discriminators' loss has stayed ≤ {Floor} since iteration {_since}: the generator has " +
               "likely collapsed (see samples/)";
    }
}
