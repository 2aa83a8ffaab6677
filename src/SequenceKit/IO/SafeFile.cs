using System.IO.Compression;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace SequenceKit.IO;

/// <summary>
/// Opens files for the loaders: only regular files (a directory, a named pipe, a socket or a device is refused at once,
/// never waited on), and every read is bounded (a part that decompresses to more bytes than declared, or more than a
/// cap, is refused after reading at most one byte past the bound). Every problem is an <see cref="InvalidDataException"/>
/// or the <see cref="FileNotFoundException"/> of a missing file; the loaders wrap them with the file and the part.
/// </summary>
internal static class SafeFile
{
    /// <summary>Opens a regular file for reading, without blocking on a named pipe.</summary>
    /// <exception cref="FileNotFoundException">Nothing is at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">It is a directory, pipe, socket or device.</exception>
    public static FileStream OpenRead(string path)
    {
        if (Directory.Exists(path)) throw new InvalidDataException($"'{path}' is a directory, not a file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"No file at '{path}'.", path);
        FileStream stream;
        var flag = OperatingSystem.IsLinux() ? 0x800 : OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? 0x4 : 0;   // O_NONBLOCK
        if (flag != 0)
        {
            // open(2) with O_NONBLOCK returns at once for a FIFO without a writer (a plain open blocks forever);
            // for a regular file the flag has no effect.
            var fd = open(path, flag | (OperatingSystem.IsLinux() ? 0x80000 : 0));        // O_RDONLY | O_NONBLOCK | O_CLOEXEC
            if (fd < 0) stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);   // let .NET report the error
            else stream = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read);
        }
        else
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        if (!stream.CanSeek)
        {
            stream.Dispose();
            throw new InvalidDataException($"'{path}' is not a regular file (a pipe, socket or device); SequenceKit reads only regular files.");
        }
        return stream;
    }

    /// <summary>Reads a whole regular file of at most <paramref name="maxBytes"/> bytes.</summary>
    public static byte[] ReadAllBytes(string path, long maxBytes)
    {
        using var stream = OpenRead(path);
        if (stream.Length > maxBytes)
            throw new InvalidDataException($"it is {stream.Length} bytes; at most {maxBytes} are read (SequenceKitLimits).");
        return ReadBounded(stream, stream.Length, maxBytes, "the file");
    }

    /// <summary>Opens a zip archive from a regular file and checks its entry count.</summary>
    public static ZipArchive OpenArchive(string path)
    {
        var stream = OpenRead(path);
        try
        {
            ZipArchive zip;
            try
            {
                zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"it is truncated, corrupt or not a SequenceKit model or checkpoint file ({e.Message})", e);
            }
            if (zip.Entries.Count > SequenceKitLimits.MaxArchiveEntries)
            {
                zip.Dispose();
                throw new InvalidDataException($"it has {zip.Entries.Count} entries; at most {SequenceKitLimits.MaxArchiveEntries} are read (SequenceKitLimits.MaxArchiveEntries).");
            }
            return zip;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads one entry that must hold exactly <paramref name="declared"/> bytes (or, when null, what its header says) and
    /// at most <paramref name="maxBytes"/>; decompression stops one byte past the bound.
    /// </summary>
    public static byte[] ReadEntry(ZipArchive zip, string name, long? declared, long maxBytes)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"the entry '{name}' is missing.");
        var expected = declared ?? entry.Length;
        if (expected < 0 || expected > maxBytes)
            throw new InvalidDataException($"'{name}' is declared as {expected} bytes; at most {maxBytes} are read (SequenceKitLimits).");
        if (entry.Length != expected)
            throw new InvalidDataException($"'{name}' is {entry.Length} bytes in the archive, but {expected} are declared.");
        using var stream = entry.Open();
        return ReadBounded(stream, expected, maxBytes, $"'{name}'");
    }

    private static byte[] ReadBounded(Stream stream, long expected, long maxBytes, string what)
    {
        var bytes = new byte[expected];
        var read = 0;
        while (read < expected)
        {
            var n = stream.Read(bytes, read, (int)Math.Min(expected - read, 1 << 20));
            if (n == 0) throw new InvalidDataException($"{what} ends after {read} of its {expected} bytes.");
            read += n;
        }
        Span<byte> extra = stackalloc byte[1];
        if (stream.Read(extra) != 0)
            throw new InvalidDataException($"{what} holds more than its {expected} declared bytes (limit {maxBytes}); refused without reading further.");
        return bytes;
    }

    [DllImport("libc", SetLastError = true, EntryPoint = "open")]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
}
