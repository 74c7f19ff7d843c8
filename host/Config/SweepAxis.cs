namespace LoE.Host.Config;

/// <summary>One swept key and the values it takes, e.g. <c>model.layout: [pe-mlp, quad-tree]</c>.</summary>
public sealed record SweepAxis(string Key, Origin Origin, IReadOnlyList<ConfigValue> Values);
