namespace LoE.Host.Config;

/// <summary>A checked, typed configuration value and its canonical spelling; <see cref="Origin"/> is null for defaults and seeds.</summary>
public sealed record ResolvedValue(string Key, object Value, Origin? Origin, string Text);
