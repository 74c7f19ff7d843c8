
namespace LoE.Host.Running.Slurm;

/// <summary>How a batch script calls this same loe: <c>LOE_COMMAND</c> when set (e.g. a wrapper that loads modules),
/// else the dotnet host running now with this loe.dll, which works wherever the output folder's file system does.</summary>
public static class LoeCommand
{
    public static string Current()
    {
        if (Environment.GetEnvironmentVariable("LOE_COMMAND") is { Length: > 0 } custom) return custom;
        var dll = typeof(LoeCommand).Assembly.Location;
        var process = Environment.ProcessPath;
        var dotnet = process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? process
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
            : Shell.Which("dotnet") ?? "dotnet";
        return $"{Shell.Quote(dotnet)} {Shell.Quote(dll)}";
    }
}
