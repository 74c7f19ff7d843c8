namespace LoE.Host.Config;

/// <summary>A checked, typed configuration value; <see cref="Origin"/> is null for defaults and seeds.</summary>
public sealed record ResolvedValue(string Key, object Value, Origin? Origin)
{
    public string Text => Canonical.Format(Value);
}
