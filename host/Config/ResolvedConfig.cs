using LoE.Host.Tasks;
using System.Security.Cryptography;
using System.Text;

namespace LoE.Host.Config;

/// <summary>
/// The complete, checked configuration of one run: the typed sections, and every key in canonical order with its
/// spelling and origin (defaults included), from which the run id hash and config.yaml are made.
/// </summary>
public sealed record ResolvedConfig(
    IReadOnlyList<ResolvedValue> Values, string BaseDirectory, RowConfig Row, DataConfig Data, ModelConfig Model, TrainConfig Train, SceneConfig Scene, GanConfig Gan)
{
    public ResolvedValue Find(string key) =>
        Values.FirstOrDefault(v => v.Key == key) ?? throw new KeyNotFoundException($"no configuration key '{key}'");

    /// <summary>
    /// One <c>key: value</c> line per key that can change results, canonical spellings: what the run id hash is
    /// taken over (so checkpointing more often does not start a run afresh).
    /// </summary>
    public string CanonicalText => string.Concat(Values.Where(v => !Schema.UnhashedKeys.Contains(v.Key) && !Quiet(v)).Select(v => $"{v.Key}: {v.Text}\n"));

    private static bool Quiet(ResolvedValue v) => Schema.QuietDefaults.TryGetValue(v.Key, out var d) && d == v.Text;

    /// <summary>First 8 hex digits of SHA-256 over <see cref="CanonicalText"/>.</summary>
    public string Hash => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(CanonicalText)))[..8];

    /// <summary>The configuration as nested YAML (<c>train:\n  lr: 0.005</c>), for config.yaml.</summary>
    public string ToYaml()
    {
        var sb = new StringBuilder();
        string? group = null;
        foreach (var v in Values.Where(v => !Quiet(v)))
        {
            var dot = v.Key.IndexOf('.');
            var (head, tail) = (v.Key[..dot], v.Key[(dot + 1)..]);
            if (head != group) sb.Append(head).Append(":\n");
            group = head;
            sb.Append("  ").Append(tail).Append(": ").Append(v.Text).Append('\n');
        }
        return sb.ToString();
    }
}
