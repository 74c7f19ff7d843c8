namespace LoE.Host.Config;

/// <summary>
/// Makes a property of a configuration section a key of experiments.yaml. The property's name gives the key
/// (<c>LrDecayAt</c> → <c>train.lr_decay_at</c>), its initial value the default, this attribute the help and checks;
/// validation, <c>loe keys</c>, experiments.yaml's key reference and the README's table all come from here.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class KeyAttribute(string help) : Attribute
{
    /// <summary>One line for listings and documentation.</summary>
    public string Help { get; } = help;

    /// <summary>Must be written (where it applies); otherwise absent means the default, or no value when that is null.</summary>
    public bool Required { get; set; }

    /// <summary>A bool property of the section: the key means something only when it is true. A value written where
    /// it does not apply is still checked, then left out of the run.</summary>
    public string? AppliesWhen { get; set; }

    /// <summary>False for keys that cannot change a run's results (checkpoint frequency): left out of the run id.</summary>
    public bool InHash { get; set; } = true;

    /// <summary>Left out of the hash and config.yaml while at its default: keys added after run folders existed
    /// (model.input, train.batch_size, ...), so that earlier runs keep their ids and are not run again.</summary>
    public bool QuietAtDefault { get; set; }

    /// <summary>Not written in experiments files: set by the host (the seed comes from the experiment's seeds).</summary>
    public bool Derived { get; set; }

    /// <summary>A static method of the section, <c>object Read(string key, ConfigValue value, ConfigContext context)</c>,
    /// used instead of the reader the property's type implies.</summary>
    public string? Reader { get; set; }

    /// <summary>Bounds of a number, or of each entry of a list (NaN: none). Min and Max are inclusive, Above and Below exclusive.</summary>
    public double Min { get; set; } = double.NaN;
    public double Max { get; set; } = double.NaN;
    public double Above { get; set; } = double.NaN;
    public double Below { get; set; } = double.NaN;

    /// <summary>Bounds on the length of a list.</summary>
    public int MinCount { get; set; }
    public int MaxCount { get; set; } = int.MaxValue;

    /// <summary>For an enum: its spellings as <c>name=Member</c>; the first name of a member is the canonical one.</summary>
    public string[]? Names { get; set; }
}
