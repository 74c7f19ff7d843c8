using System.Reflection;
using System.Text;
using static LoE.Host.Config.ValueReader;

namespace LoE.Host.Config;

/// <summary>One key of the run configuration, made from a section property and its <see cref="KeyAttribute"/>.</summary>
public sealed class ConfigKey
{
    private readonly PropertyInfo property;
    private readonly PropertyInfo? appliesWhen;
    private readonly Func<string, ConfigValue, ConfigContext, object> read;
    private readonly IReadOnlyList<(string Name, object Member)>? names;

    internal ConfigKey(string section, PropertyInfo property, KeyAttribute rules, object? defaultValue)
    {
        this.property = property;
        Rules = rules;
        Key = $"{section}.{SnakeCase(property.Name)}";
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        if (rules.Names is { } spellings)
            names = spellings.Select(s => s.Split('=')).Select(p => (p[0], Enum.Parse(type, p[1]))).ToList();
        Default = rules.Required ? null : defaultValue;
        appliesWhen = rules.AppliesWhen is { } when
            ? property.DeclaringType!.GetProperty(when) ?? throw new InvalidOperationException($"{Key}: no property {when}")
            : null;
        read = rules.Reader is { } method
            ? property.DeclaringType!.GetMethod(method, BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
                  ?.CreateDelegate<Func<string, ConfigValue, ConfigContext, object>>()
              ?? throw new InvalidOperationException($"{Key}: no static method {method}")
            : ReaderFor(type);
    }

    /// <summary>Dotted key path, e.g. <c>train.lr</c>.</summary>
    public string Key { get; }
    public KeyAttribute Rules { get; }
    public string Help => Rules.Help;
    /// <summary>Used when the key is absent; null when it is required or may be left out.</summary>
    public object? Default { get; }
    public bool Required => Rules.Required;
    public bool InHash => Rules.InHash;
    public bool Derived => Rules.Derived;
    /// <summary>The section property (<c>AppliesWhen</c>) that says when the key means something, if any.</summary>
    public string? Condition => Rules.AppliesWhen;

    /// <summary>Whether the key means something for the section read so far.</summary>
    public bool AppliesTo(object section) => appliesWhen is null || (bool)appliesWhen.GetValue(section)!;

    /// <summary>Reads and checks a written value.</summary>
    public object Read(ConfigValue value, ConfigContext context) => read(Key, value, context);

    internal void Set(object section, object value) => property.SetValue(section, value);

    /// <summary>The canonical spelling of a value of this key (what run ids hash and config.yaml holds).</summary>
    public string Format(object value) =>
        names is not null ? names.First(n => n.Member.Equals(value)).Name : Canonical.Format(value);

    private Func<string, ConfigValue, ConfigContext, object> ReaderFor(Type type)
    {
        var r = Rules;
        int IntMin() => double.IsNaN(r.Min) ? int.MinValue : (int)r.Min;
        int IntMax() => double.IsNaN(r.Max) ? int.MaxValue : (int)r.Max;
        double? Bound(double x) => double.IsNaN(x) ? null : x;
        if (names is not null)
            return (key, v, _) =>
            {
                var name = OneOf(key, v, SnakeCase(property.Name).Replace('_', ' '), names.Select(n => n.Name).ToList());
                return names.First(n => n.Name == name).Member;
            };
        if (type == typeof(int)) return (key, v, _) => Int(key, v, IntMin(), IntMax());
        if (type == typeof(double)) return (key, v, _) => Number(key, v, Bound(r.Above), Bound(r.Min), Bound(r.Below), Bound(r.Max));
        if (type == typeof(string)) return (key, v, _) => Text(key, v);
        if (type == typeof(bool)) return (key, v, _) => Bool(key, v);
        if (type == typeof(int[])) return (key, v, _) => IntList(key, v, IntMin(), r.MinCount, r.MaxCount, IntMax());
        throw new InvalidOperationException($"{Key}: a {type.Name} needs a Reader");
    }

    private static string SnakeCase(string name)
    {
        var sb = new StringBuilder();
        foreach (var c in name)
        {
            if (char.IsUpper(c) && sb.Length > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }
}

/// <summary>A section of the run configuration (<c>data</c>, <c>model</c>, ...): a record type whose <see cref="KeyAttribute"/>
/// properties, in declaration order, are its keys.</summary>
public sealed class ConfigSection
{
    private ConfigSection(string name, Type type, Func<ConfigContext, bool>? appliesWhen)
    {
        Name = name;
        Type = type;
        this.appliesWhen = appliesWhen;
        var defaults = NewDefault();
        Keys = type.GetProperties()
            .Where(p => p.GetCustomAttribute<KeyAttribute>() is not null)
            .OrderBy(p => p.MetadataToken)
            .Select(p => new ConfigKey(name, p, p.GetCustomAttribute<KeyAttribute>()!, p.GetValue(defaults)))
            .ToList();
    }

    public string Name { get; }
    public Type Type { get; }
    public IReadOnlyList<ConfigKey> Keys { get; }

    private readonly Func<ConfigContext, bool>? appliesWhen;

    /// <summary>A section; <paramref name="appliesWhen"/>, given the sections before it, says whether its keys mean
    /// anything for a run (the <c>scene</c> keys only for a scene).</summary>
    public static ConfigSection Of<T>(string name, Func<ConfigContext, bool>? appliesWhen = null) where T : class, new() =>
        new(name, typeof(T), appliesWhen);

    public bool AppliesTo(ConfigContext context) => appliesWhen is null || appliesWhen(context);

    /// <summary>A fresh section holding every default, to be filled in key by key.</summary>
    public object NewDefault() => Activator.CreateInstance(Type)!;
}

/// <summary>A section that checks keys against each other once all of them are read.</summary>
public interface ICheckedSection
{
    void Check(ConfigContext context);
}
