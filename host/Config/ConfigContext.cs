using LoE.Host.Tasks;
namespace LoE.Host.Config;

/// <summary>What a key's reader may look at: the folder paths are relative to, and the sections read so far
/// (complete ones before it, its own one up to the key).</summary>
public sealed class ConfigContext(string baseDirectory, IReadOnlyDictionary<string, ConfigValue> written, Origin where, string? whereKey)
{
    public string BaseDirectory { get; } = baseDirectory;
    public RowConfig Row { get; internal set; } = new();
    public DataConfig Data { get; internal set; } = new();
    public ModelConfig Model { get; internal set; } = new();
    public TrainConfig Train { get; internal set; } = new();
    public SceneConfig Scene { get; internal set; } = new();
    public GanConfig Gan { get; internal set; } = new();

    /// <summary>How many coordinates the run's task gives a point (images 2, videos and scenes 3, sounds 1); affine maps
    /// and tiles must match.</summary>
    public int Dims => Tasks.TaskTable.For(Data).Coordinates(Data).Dims;

    /// <summary>What the coordinates are of, for messages.</summary>
    public string Coordinates => Tasks.TaskTable.For(Data).Coordinates(Data).Name;

    /// <summary>An error about <paramref name="key"/>, at the value written for it or else at the experiment.</summary>
    public ConfigException Error(string key, string detail) =>
        written.TryGetValue(key, out var v) ? new ConfigException(v.Origin, key, detail) : new ConfigException(where, whereKey, $"{key}: {detail}");

    /// <summary>Whether the experiment (or --set) wrote <paramref name="key"/>, rather than leaving its default.</summary>
    public bool IsWritten(string key) => written.ContainsKey(key);

    internal void Enter(object section)
    {
        switch (section)
        {
            case RowConfig r: Row = r; break;
            case DataConfig d: Data = d; break;
            case ModelConfig m: Model = m; break;
            case TrainConfig t: Train = t; break;
            case SceneConfig s: Scene = s; break;
            case GanConfig g: Gan = g; break;
        }
    }
}
