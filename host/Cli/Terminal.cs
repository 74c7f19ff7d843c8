namespace LoE.Host.Cli;

/// <summary>Whether a live display can be drawn: the real console, a terminal (not a pipe or file), not CI.</summary>
public static class Terminal
{
    public static bool IsInteractive(TextWriter output) =>
        ReferenceEquals(output, Console.Out)
        && !Console.IsOutputRedirected
        && Environment.GetEnvironmentVariable("CI") is null or ""
        && Environment.GetEnvironmentVariable("TERM") is not "dumb";
}
