namespace LoE.Host.Config;

/// <summary>What a key's reader may look at: the folder paths are relative to, and the keys read before it.</summary>
public sealed record ResolveContext(string BaseDirectory, IReadOnlyDictionary<string, object> ReadSoFar)
{
    public T Get<T>(string key) => (T)ReadSoFar[key];
}
