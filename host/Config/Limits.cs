namespace LoE.Host.Config;

/// <summary>
/// Upper bounds on sizes and counts, checked before anything runs, so that an absurd value is a one-line error
/// rather than an allocation failure deep inside a run. Each is far above the paper's settings (8192² images,
/// 300-frame videos, 17M parameters, 262144 samples per step, 200k iterations) and below what 24 GiB can hold.
/// </summary>
public static class Limits
{
    public const int Side = 16384;
    public const int Frames = 10000;
    /// <summary>Samples of a signal (pixels × frames), and of a learnable embedding grid (points × channels).</summary>
    public const long Samples = 1L << 28;
    public const int Width = 16384;
    public const int Layers = 256;
    public const int TileSide = 1024;
    /// <summary>Parameters of a model (each takes 16 bytes with Adam's two moments and its gradient).</summary>
    public const long Parameters = 1L << 28;
    public const int Channels = 4096;
    public const int Iterations = 100_000_000;
    public const int BatchSize = 1 << 28;
    public const int DecaySteps = 1000;
    public const double Omega0 = 1e4;
}
