namespace LoE.Host.Config;

/// <summary>
/// A mistake in the user's input (experiments file, command line): reported as one line naming the file, line,
/// column and key, without a stack trace.
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException(Origin? origin, string? key, string detail, Exception? inner = null)
        : base(Format(origin, key, detail), inner)
    {
        Origin = origin;
        Key = key;
    }

    public Origin? Origin { get; }
    public string? File => Origin?.Source;
    public int Line => Origin?.Line ?? 0;
    /// <summary>The dotted key path the mistake is about (e.g. <c>train.lr</c>), when there is one.</summary>
    public string? Key { get; }

    private static string Format(Origin? origin, string? key, string detail)
    {
        if (origin is null) return key is null ? detail : $"{key}: {detail}";
        // A --set option already names its key: "--set train.lr: expected a number".
        if (origin.IsCommandLine || key is null) return $"{origin}: {detail}";
        return $"{origin}: {key}: {detail}";
    }
}
