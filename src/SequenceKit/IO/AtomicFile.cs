using System.Globalization;
using System.Text;

namespace SequenceKit.IO;

/// <summary>
/// Writes a file so that readers see either the old content or the complete new content: the data goes to a
/// temporary file beside the target, is flushed to disk, and the temporary file is renamed over the target.
/// The temporary name is short (<c>.sk-{8 hex of the target's name}-{8 random hex}.tmp</c>, 30 characters), so a target
/// whose own name is legal never fails because of it; an I/O error names the target, never the temporary file.
/// Temporary files of the same target left by a writer that was killed (same prefix, last written more than
/// <see cref="OrphanAge"/> before this write began) are deleted on the next write to that target.
/// </summary>
internal static class AtomicFile
{
    /// <summary>How old a temporary file of the same target must be to count as an orphan: one minute.</summary>
    internal static readonly TimeSpan OrphanAge = TimeSpan.FromMinutes(1);

    /// <param name="path">The target file; its folder is created if missing.</param>
    /// <param name="write">Writes the content to the stream it is given.</param>
    /// <param name="wrapStream">Test hook: wraps the file stream (e.g. to inject a failure mid-write).</param>
    public static void Write(string path, Action<Stream> write, Func<Stream, Stream>? wrapStream = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var started = DateTime.UtcNow;
        var target = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(target)!;
        var prefix = TemporaryPrefix(target);
        var temporary = Path.Combine(folder, $"{prefix}{Random.Shared.Next():x8}.tmp");
        try
        {
            Directory.CreateDirectory(folder);
            if (Directory.Exists(target)) throw new IOException($"'{target}' is a directory.");
            RemoveOrphans(folder, prefix, started);
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                var stream = wrapStream?.Invoke(file) ?? file;
                write(stream);
                stream.Flush();
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, target, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            var reason = e.Message.Replace(temporary, target, StringComparison.Ordinal);
            var message = reason.Contains(target, StringComparison.Ordinal) ? $"Cannot write '{target}': {reason}" : $"Cannot write '{target}': {reason} ({e.GetType().Name})";
            throw e switch
            {
                UnauthorizedAccessException => new UnauthorizedAccessException(message, e),
                PathTooLongException => new PathTooLongException(message, e),
                DirectoryNotFoundException => new DirectoryNotFoundException(message, e),
                _ => new IOException(message, e),
            };
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>The first part of every temporary name for <paramref name="target"/>: a stable 32-bit hash of its full path.</summary>
    internal static string TemporaryPrefix(string target)
    {
        uint hash = 2166136261;                                        // FNV-1a over the UTF-8 path
        foreach (var b in Encoding.UTF8.GetBytes(Path.GetFullPath(target))) hash = (hash ^ b) * 16777619;
        return ".sk-" + hash.ToString("x8", CultureInfo.InvariantCulture) + "-";
    }

    private static void RemoveOrphans(string folder, string prefix, DateTime started)
    {
        foreach (var orphan in Directory.EnumerateFiles(folder, prefix + "*.tmp"))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(orphan) < started - OrphanAge) File.Delete(orphan);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another process may own it; it is not ours to insist on.
            }
        }
    }

    private static void TryDelete(string file)
    {
        try { File.Delete(file); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
