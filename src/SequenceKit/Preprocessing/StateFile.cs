using System.Text.Json;
using System.Text.Json.Nodes;
using SequenceKit.IO;

namespace SequenceKit.Preprocessing;

/// <summary>
/// Reads and writes the standalone JSON files of the preprocessing types (scalers, vocabularies, label encoders) by
/// the rules of <see cref="FileFormat"/>: written signed (<c>"sha256"</c>, the hash of the content); read from a regular
/// file of at most <see cref="SequenceKitLimits.MaxJsonBytes"/> bytes (or text of at most as many characters), then the
/// format and version, then the hash (required from the version that introduced it), and only then the content.
/// Every failure is a <see cref="PreprocessingFileException"/>; a missing file is a <see cref="FileNotFoundException"/>.
/// </summary>
internal static class StateFile
{
    /// <summary>Signs the document and writes it as text.</summary>
    public static string Write(JsonObject root, JsonSerializerOptions options) => FileFormat.Sign(root).ToJsonString(options);

    /// <summary>Reads JSON text given to a <c>FromJson</c> method.</summary>
    /// <exception cref="PreprocessingFileException">The text cannot be read; <see cref="PreprocessingFileException.Path"/> is null.</exception>
    public static T FromText<T>(string json, string kind, FileFormat.FormatSpec spec, Func<JsonObject, int, T> read)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Read(kind, null, spec, read, () => FileFormat.ParseObject(json));
    }

    /// <summary>Reads a file written by a <c>Save</c> method.</summary>
    /// <exception cref="FileNotFoundException">Nothing is at <paramref name="path"/>.</exception>
    /// <exception cref="PreprocessingFileException">The file cannot be read; the exception names it.</exception>
    public static T Load<T>(string path, string kind, FileFormat.FormatSpec spec, Func<JsonObject, int, T> read)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path) && !Directory.Exists(path)) throw new FileNotFoundException($"No {kind} file at '{path}'.", path);
        return Read(kind, path, spec, read, () =>
        {
            var bytes = SafeFile.ReadAllBytes(path, SequenceKitLimits.MaxJsonBytes);
            ReadOnlySpan<byte> utf8 = bytes;
            if (utf8.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) utf8 = utf8[3..];          // a BOM added by an editor
            return FileFormat.ParseObject(utf8);
        });
    }

    private static T Read<T>(string kind, string? path, FileFormat.FormatSpec spec, Func<JsonObject, int, T> read, Func<JsonObject> parse)
    {
        try
        {
            var root = parse();
            var version = FileFormat.CheckVersion(root, spec);
            FileFormat.Verify(root, spec, version);                  // before anything is deserialized
            return read(root, version);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or InvalidOperationException or FormatException or ArgumentException
            or NotSupportedException or OverflowException or UnauthorizedAccessException or IOException and not FileNotFoundException)
        {
            throw new PreprocessingFileException(kind, path, e.Message, e);
        }
    }
}
