namespace LoE.Host.Config;

/// <summary>The value a run takes for one swept key: canonical text, and the text as written in the sweep.</summary>
public sealed record SweptValue(string Key, string Text, string Written);
