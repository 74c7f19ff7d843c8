namespace LoE.Host.Config;

/// <summary><c>row</c>: the table row a run belongs to, set by a <c>row:</c> sweep.</summary>
public sealed record RowConfig
{
    [Key("the table row a run belongs to (set by a `row` sweep, e.g. --set row.name=ours)")]
    public string? Name { get; init; }
}
