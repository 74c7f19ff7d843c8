namespace LoE.Host.Running.Slurm;

/// <summary>Quoting for bash scripts.</summary>
public static class Shell
{
    /// <summary>A single-quoted bash word: nothing inside is expanded.</summary>
    public static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':' or '=' or ',' or '+')
            ? s
            : "'" + s.Replace("'", "'\\''") + "'";

    /// <summary>The folders of PATH that hold an executable called <paramref name="name"/>, first one wins.</summary>
    public static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
