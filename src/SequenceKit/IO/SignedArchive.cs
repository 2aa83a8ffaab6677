using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SequenceKit.IO;

/// <summary>
/// The one reader of SequenceKit's signed archives (the model file and the training checkpoint): it opens the zip
/// (a regular file, a bounded number of entries), reads the manifest with a bound, checks its format and version and
/// verifies its own hash (<see cref="FileFormat"/>); then reads named parts with bounds, each verified against the
/// size and SHA-256 the manifest lists (from <see cref="FileFormat.FormatSpec.HashedFrom"/>; older versions listed
/// none). It tracks which part is being read, so that every failure is reported with its part by the file's own
/// exception type (<see cref="Read{T}"/>).
/// </summary>
internal sealed class SignedArchive
{
    private readonly ZipArchive zip;

    private SignedArchive(ZipArchive zip, JsonObject manifest, int version, bool hashed)
    {
        this.zip = zip;
        Manifest = manifest;
        Version = version;
        Hashed = hashed;
    }

    /// <summary>The manifest, its hash verified and removed.</summary>
    public JsonObject Manifest { get; }

    /// <summary>The format version the file was written in.</summary>
    public int Version { get; }

    /// <summary>The version lists every part's size and SHA-256 in the manifest's <c>"parts"</c>.</summary>
    public bool Hashed { get; }

    /// <summary>The part being read (for error messages): the manifest first, then each part as it is read.</summary>
    public string? CurrentPart { get; set; }

    /// <summary>
    /// Opens the archive, reads and verifies its manifest, runs <paramref name="read"/>, and closes it. Any failure
    /// to read (a truncated zip, bad JSON, a hash that does not match, a value out of range) becomes
    /// <paramref name="fail"/>(part, problem, inner); exceptions that are already the file's own pass through.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="manifestEntry">The manifest's entry name.</param>
    /// <param name="spec">The format it must be.</param>
    /// <param name="kind">What the file is called in messages: "model file", "checkpoint".</param>
    /// <param name="fail">Builds the file's exception from the part, the problem and the inner exception.</param>
    /// <param name="read">Reads what the caller needs; it must not change anything outside what it returns.</param>
    public static T Read<T>(string path, string manifestEntry, FileFormat.FormatSpec spec, string kind, Func<string?, string, Exception, Exception> fail, Func<SignedArchive, T> read)
    {
        string? part = null;
        SignedArchive? archive = null;
        try
        {
            using var zip = SafeFile.OpenArchive(path);
            part = manifestEntry;
            if (zip.GetEntry(manifestEntry) is null)
                throw new InvalidDataException($"it has no {manifestEntry}; it is a zip archive but not a SequenceKit {kind}.");
            var manifest = FileFormat.ParseObject(SafeFile.ReadEntry(zip, manifestEntry, null, SequenceKitLimits.MaxJsonBytes));
            var version = FileFormat.CheckVersion(manifest, spec);
            FileFormat.Verify(manifest, spec, version);
            archive = new SignedArchive(zip, manifest, version, version >= spec.HashedFrom) { CurrentPart = manifestEntry };
            return read(archive);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or EndOfStreamException or NotSupportedException or IOException and not FileNotFoundException
            or UnauthorizedAccessException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw fail(archive?.CurrentPart ?? part, e is InvalidDataException ? e.Message : $"it is truncated, corrupt or not a SequenceKit {kind} ({e.Message}).", e);
        }
    }

    /// <summary>Whether the archive holds an entry of that name.</summary>
    public bool Has(string name) => zip.GetEntry(name) is not null;

    /// <summary>
    /// Reads a part, at most <paramref name="maxBytes"/>: in a hashed version, only as listed in <c>"parts"</c>, of its
    /// listed size and SHA-256; in an older one, as stored (<paramref name="declaredBytes"/> when the manifest gave one).
    /// </summary>
    public byte[] ReadPart(string name, long maxBytes, long? declaredBytes = null)
    {
        CurrentPart = name;
        return Hashed ? FileFormat.ReadPart(zip, Manifest, name, maxBytes) : SafeFile.ReadEntry(zip, name, declaredBytes, maxBytes);
    }

    /// <summary>
    /// In a hashed version: the manifest's <c>"parts"</c> list exactly <paramref name="parts"/>, and the archive holds
    /// nothing else (besides the manifest). Older versions listed no parts; nothing is checked.
    /// </summary>
    /// <exception cref="InvalidDataException">A part is missing from the list or the archive, or an entry is not accounted for.</exception>
    public void CheckParts(IReadOnlyCollection<string> parts, string manifestEntry)
    {
        if (!Hashed) return;
        foreach (var name in parts)
            if (!Has(name)) throw new InvalidDataException($"the part '{name}' listed in the manifest is missing.");
        var declared = (Manifest["parts"] as JsonObject ?? throw new InvalidDataException("the manifest has no \"parts\".")).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        if (!declared.SetEquals(parts))
            throw new InvalidDataException($"its \"parts\" list [{string.Join(", ", declared.Order())}], but its contents name [{string.Join(", ", parts.Order())}]; the manifest is corrupt.");
        FileFormat.CheckNoStrayEntries(zip, declared.Append(manifestEntry));
    }
}
