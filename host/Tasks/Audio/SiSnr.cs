namespace LoE.Host.Tasks;

/// <summary>Scale-invariant signal-to-noise ratio (Le Roux et al. 2019), the speech-separation measure.</summary>
public static class SiSnr
{
    /// <summary>
    /// 10 log10(|s_t|² / |e|²) in dB with both signals made zero-mean, s_t = (⟨ŝ, s⟩ / |s|²) s the part of the
    /// estimate ŝ along the target s and e = ŝ − s_t the rest: rescaling the estimate changes nothing.
    /// </summary>
    public static double Of(IReadOnlyList<float> estimate, IReadOnlyList<float> target)
    {
        if (estimate.Count != target.Count) throw new ArgumentException($"{estimate.Count} estimated samples against {target.Count}");
        var (me, mt) = (estimate.Average(x => (double)x), target.Average(x => (double)x));
        double dot = 0, tt = 0;
        for (var i = 0; i < target.Count; i++)
        {
            dot += (estimate[i] - me) * (target[i] - mt);
            tt += (target[i] - mt) * (target[i] - mt);
        }
        var alpha = dot / tt;
        double signal = 0, noise = 0;
        for (var i = 0; i < target.Count; i++)
        {
            var st = alpha * (target[i] - mt);
            var e = estimate[i] - me - st;
            signal += st * st;
            noise += e * e;
        }
        return 10 * Math.Log10(signal / noise);
    }
}
