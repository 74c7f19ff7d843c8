using System.Text;

namespace LoE.Host.Output;

/// <summary>
/// Writes files whole or not at all: a temporary file in the same folder, flushed to the disk, then renamed over
/// the target. A killed process (SIGKILL, a Slurm time limit) leaves either the old file or the new one, never a
/// torn one; the rename is atomic on one file system.
/// </summary>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static Task WriteTextAsync(string path, string text, CancellationToken cancel = default) =>
        WriteBytesAsync(path, Utf8.GetBytes(text), cancel);

    /// <summary>Writes <paramref name="bytes"/> into a temporary file, syncs it, then renames it to <paramref name="path"/>.</summary>
    public static async Task WriteBytesAsync(string path, byte[] bytes, CancellationToken cancel = default)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        // Process id and a random part: array tasks on different nodes may share the folder (and a process id).
        var temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await stream.WriteAsync(bytes, cancel);
                await stream.FlushAsync();
                // Without this the rename can reach the disk before the data, and a power cut leaves an empty file.
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
