using LoE.Core.Nerf;

namespace LoE.Host.Tasks;

/// <summary>Data loaded for one invocation's runs: the rows of a sweep fit the same image or scene, loaded once.</summary>
public sealed class DataCache
{
    private readonly Dictionary<string, object> loaded = [];

    /// <summary>
    /// The data under <paramref name="cacheKey"/>, loaded by <paramref name="load"/> the first time. A missing file
    /// is reported against <paramref name="key"/> with data.obtain's text, unreadable data with its reason.
    /// </summary>
    public T Load<T>(ResolvedConfig c, string key, string cacheKey, Func<T> load) where T : notnull
    {
        if (loaded.TryGetValue(cacheKey, out var hit)) return (T)hit;
        try
        {
            var value = load();
            loaded[cacheKey] = value;
            return value;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException && c.Data.Obtain is { } how)
        {
            throw new ConfigException(c.Find(key).Origin, key, $"{e.Message}. {how}", e);
        }
        catch (Exception e) when (e is SceneDataException or InvalidDataException or InvalidOperationException or IOException or FormatException)
        {
            throw new ConfigException(c.Find(key).Origin, key, e.Message, e);
        }
    }

    /// <summary>A cache key of every value of the data section and of <paramref name="more"/> keys.</summary>
    public static string KeyOf(ResolvedConfig c, params string[] more) =>
        string.Join("|", c.Values.Where(v => v.Key.StartsWith("data.", StringComparison.Ordinal) || more.Contains(v.Key)).Select(v => $"{v.Key}={v.Text}"));
}
