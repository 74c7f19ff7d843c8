using System.Reflection;

namespace LoE.Host.Cli;

/// <summary>
/// A CUDA device asked of the torch backend must exist before anything starts: otherwise one line says why
/// (a CPU build, no GPU visible, or an index past the last device) instead of a native stack trace per run.
/// </summary>
public static class TorchDevices
{
    /// <summary>The libtorch flavour this build references: <c>cpu</c> or <c>cuda</c> (<c>-p:TorchDevice</c>).</summary>
    public static string BuiltFor =>
        typeof(TorchDevices).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "LoE.TorchDevice")?.Value ?? "cpu";

    public static void Require(string backend, IEnumerable<string> devices, string option)
    {
        if (backend != "torch") return;
        foreach (var device in devices)
        {
            if (!device.StartsWith("cuda", StringComparison.OrdinalIgnoreCase)) continue;
            if (!string.Equals(BuiltFor, "cuda", StringComparison.OrdinalIgnoreCase))
                throw new ConfigException(Origin.CommandLine(option), null,
                    $"'{device}' needs the CUDA build of libtorch, but this loe was built with TorchSharp-cpu; " +
                    "build with `dotnet build -p:TorchDevice=cuda` (README, Backends), or use --device cpu");
            if (Backends.cudaDevices() == 0)
                throw new ConfigException(Origin.CommandLine(option), null,
                    $"'{device}': libtorch (CUDA build) finds no usable CUDA device on this machine (GPU or driver missing); use --device cpu");
            var count = Backends.cudaDevices();
            if (device.Split(':') is [_, var index] && (!int.TryParse(index, out var i) || i < 0 || i >= count))
                throw new ConfigException(Origin.CommandLine(option), null,
                    $"'{device}': this machine has {count} CUDA device{(count == 1 ? "" : "s")} (cuda:0 to cuda:{count - 1})");
        }
    }
}
