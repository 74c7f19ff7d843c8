namespace LoE.Host.Config;

/// <summary>
/// One swept key and the values it takes, e.g. <c>model.layout: [pe-mlp, quad-tree]</c>. A <c>row</c> sweep
/// (the rows of a paper's table, which differ in several keys) sweeps <c>row.name</c>, and
/// <paramref name="Settings"/> holds, per value, the other keys that row sets.
/// </summary>
public sealed record SweepAxis(
    string Key, Origin Origin, IReadOnlyList<ConfigValue> Values,
    IReadOnlyList<IReadOnlyDictionary<string, ConfigValue>>? Settings = null)
{
    public const string RowKey = "row";
    public const string RowNameKey = "row.name";
}
