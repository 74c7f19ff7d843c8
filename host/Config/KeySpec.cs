namespace LoE.Host.Config;

/// <summary>One key of the run configuration: how to read and check it, and its default when it may be left out.</summary>
/// <param name="Key">Dotted key path, e.g. <c>train.lr</c>.</param>
/// <param name="Help">One line for listings and documentation.</param>
/// <param name="Read">Reads and validates the raw value; may look at keys read before it.</param>
/// <param name="Default">Used when the key is absent; null means the key is required (unless <paramref name="Optional"/>).</param>
/// <param name="Optional">Absent is fine and leaves the key out.</param>
/// <param name="AppliesWhen">The key only means something under this condition (else it is ignored).</param>
/// <param name="InHash">False for keys that cannot change a run's results (checkpoint frequency): left out of the run id.</param>
/// <param name="QuietAtDefault">Left out of the hash and config.yaml while at its default: keys added after run folders
/// existed (model.input, train.batch_size, ...), so that earlier runs keep their ids and are not run again.</param>
public sealed record KeySpec(
    string Key,
    string Help,
    Func<ConfigValue, ResolveContext, object> Read,
    object? Default = null,
    bool Optional = false,
    Func<ResolveContext, bool>? AppliesWhen = null,
    bool InHash = true,
    bool QuietAtDefault = false);
