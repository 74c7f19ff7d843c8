using System.Runtime.Intrinsics.X86;

namespace LoE.Host.Output;

/// <summary>
/// The CPU a run computed on, for config.yaml: the same code, seed and thread count gave other last digits on
/// another kind of CPU (README, Quick start; how is not known). Recorded so that a table that differs from the
/// README's can be traced to its machine.
/// </summary>
public static class Machine
{
    public static string Description { get; } = $"{ModelName() ?? "unknown CPU"}, {VectorInstructions()}, {Environment.ProcessorCount} processors";

    /// <summary>The widest vector instructions .NET sees: part of what tells one kind of CPU from another.</summary>
    private static string VectorInstructions() =>
        Avx512F.IsSupported ? "AVX-512" : Avx2.IsSupported ? "AVX2" : Avx.IsSupported ? "AVX" : System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported ? "NEON" : "no AVX";

    /// <summary>Linux's name of the first processor (/proc/cpuinfo); null elsewhere.</summary>
    private static string? ModelName()
    {
        try
        {
            return File.Exists("/proc/cpuinfo")
                ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
