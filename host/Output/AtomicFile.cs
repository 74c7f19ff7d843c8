using System.Text;

namespace LoE.Host.Output;

/// <summary>Writes files whole or not at all (temporary file, then rename), so an interrupted run leaves no torn files.</summary>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static Task WriteTextAsync(string path, string text, CancellationToken cancel = default) =>
        WriteBytesAsync(path, Utf8.GetBytes(text), cancel);

    public static async Task WriteBytesAsync(string path, byte[] bytes, CancellationToken cancel = default)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            await File.WriteAllBytesAsync(temp, bytes, cancel);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
