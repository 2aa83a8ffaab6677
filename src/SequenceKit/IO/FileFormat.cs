using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;

namespace SequenceKit.IO;

/// <summary>
/// The one place that decides what every SequenceKit file is (a format name and a version) and how it is verified:
/// <list type="bullet">
/// <item>Version rule, the same for all files: a file is read when its format name is the expected one and its version
/// lies in [<see cref="FormatSpec.Oldest"/>, <see cref="FormatSpec.Current"/>]; a newer version asks for a newer
/// SequenceKit.</item>
/// <item>Every JSON document SequenceKit writes (a model or checkpoint manifest, a scaler, vocabulary or label-encoder
/// file) carries <c>"sha256"</c>: the SHA-256 of its own content, that is of the document without that property
/// written compactly (so reformatting keeps it valid, but a changed byte of any key or value does not). Binary parts are
/// listed with their byte count and SHA-256 in the manifest's <c>"parts"</c>.</item>
/// <item>The parameter manifest (every parameter's name, shape and dtype) is written and read here only.</item>
/// </list>
/// </summary>
internal static class FileFormat
{
    /// <summary>The name of the content-hash property of every JSON document.</summary>
    public const string HashProperty = "sha256";

    /// <summary>A file format: its name, the version written, and the oldest version read.</summary>
    public sealed record FormatSpec(string Name, int Current, int Oldest)
    {
        /// <summary>The version from which documents must carry their content hash.</summary>
        public int HashedFrom { get; init; } = Current;
    }

    /// <summary>The format and version of a document, checked by the one rule; returns the version.</summary>
    /// <exception cref="InvalidDataException">Another format, or a version outside what this SequenceKit reads.</exception>
    public static int CheckVersion(JsonObject root, FormatSpec spec)
    {
        var format = root["format"] is JsonValue f && f.GetValueKind() == JsonValueKind.String ? f.GetValue<string>() : null;
        if (format != spec.Name)
            throw new InvalidDataException($"its format is {root["format"]?.ToJsonString() ?? "missing"}; expected \"{spec.Name}\".");
        var version = root["formatVersion"] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out int n) ? n : (int?)null;
        if (version is null)
            throw new InvalidDataException($"its formatVersion is {root["formatVersion"]?.ToJsonString() ?? "missing"}; expected an integer from {spec.Oldest} to {spec.Current}.");
        if (version > spec.Current)
            throw new InvalidDataException($"it was written in {spec.Name} format version {version} by a newer SequenceKit; this version reads {spec.Oldest} to {spec.Current}. Upgrade SequenceKit.");
        if (version < spec.Oldest)
            throw new InvalidDataException($"its format version {version} is not supported; this version reads {spec.Oldest} to {spec.Current}.");
        return version.Value;
    }

    /// <summary>The SHA-256 of bytes, as upper-case hex.</summary>
    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexString(SHA256.HashData(bytes));

    /// <summary>Adds <c>"sha256"</c>, the hash of the document's content, as its last property.</summary>
    public static JsonObject Sign(JsonObject root)
    {
        root.Remove(HashProperty);
        root[HashProperty] = ContentHash(root);
        return root;
    }

    /// <summary>
    /// Verifies the document's <c>"sha256"</c> (removing it from <paramref name="root"/>). Required from
    /// <see cref="FormatSpec.HashedFrom"/>; older versions are read without it (they never had one).
    /// </summary>
    /// <exception cref="InvalidDataException">The hash is missing where required, malformed, or does not match.</exception>
    public static void Verify(JsonObject root, FormatSpec spec, int version)
    {
        if (!root.TryGetPropertyValue(HashProperty, out var node))
        {
            if (version >= spec.HashedFrom)
                throw new InvalidDataException($"it has no '{HashProperty}'; format version {version} stores the SHA-256 of its content, so the file was altered or truncated.");
            return;
        }
        var stored = node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
        root.Remove(HashProperty);
        var actual = ContentHash(root);
        if (!string.Equals(stored, actual, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"its content's SHA-256 is {actual}, but it records {node?.ToJsonString() ?? "null"}; the file is corrupt or was edited.");
    }

    /// <summary>Parses JSON text whose top level must be an object.</summary>
    /// <exception cref="InvalidDataException">Not JSON, or not an object.</exception>
    public static JsonObject ParseObject(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }) as JsonObject
                ?? throw new InvalidDataException("its top level is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"it is not valid JSON ({e.Message}).", e);
        }
    }

    /// <summary>Parses JSON text whose top level must be an object.</summary>
    public static JsonObject ParseObject(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.Length > SequenceKitLimits.MaxJsonBytes)
            throw new InvalidDataException($"it is {json.Length} characters; at most {SequenceKitLimits.MaxJsonBytes} are read (SequenceKitLimits.MaxJsonBytes).");
        return ParseObject(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>The parameter manifest: every entry of the module's state dict with its shape and dtype, in order.</summary>
    public static JsonArray ParameterManifest(torch.nn.Module module) =>
        new(module.state_dict().Select(p => (JsonNode)new JsonObject
        {
            ["name"] = p.Key,
            ["shape"] = new JsonArray(p.Value.shape.Select(d => (JsonNode)d).ToArray()),
            ["dtype"] = p.Value.dtype.ToString(),
        }).ToArray());

    /// <summary>Reads a parameter manifest: name → shape (dtype is checked against the weights themselves).</summary>
    /// <exception cref="InvalidDataException">An item is malformed, a name repeats, or a dimension is negative.</exception>
    public static Dictionary<string, long[]> ReadParameterManifest(JsonNode? node)
    {
        if (node is not JsonArray array) throw new InvalidDataException($"its parameter list is {node?.ToJsonString() ?? "missing"}; expected an array.");
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonObject item || item["name"] is not JsonValue name || name.GetValueKind() != JsonValueKind.String
                || item["shape"] is not JsonArray shape || shape.Count > 16)
                throw new InvalidDataException($"parameters[{i}] is {array[i]?.ToJsonString() ?? "null"}; expected {{\"name\": string, \"shape\": [at most 16 integers]}}.");
            var dims = shape.Select(d => d is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out long x) && x >= 0 ? x
                : throw new InvalidDataException($"parameters[{i}].shape holds {d?.ToJsonString() ?? "null"}; expected non-negative integers.")).ToArray();
            if (!shapes.TryAdd(name.GetValue<string>(), dims)) throw new InvalidDataException($"parameter '{name.GetValue<string>()}' is listed twice.");
        }
        return shapes;
    }

    /// <summary>A binary part's entry in a manifest's <c>"parts"</c>: its byte count and SHA-256.</summary>
    public static JsonObject PartEntry(byte[] bytes) => new() { ["bytes"] = bytes.LongLength, ["sha256"] = Sha256(bytes) };

    /// <summary>Reads a part listed in <c>"parts"</c> from the archive, bounded by its declared size, and verifies its hash.</summary>
    /// <exception cref="InvalidDataException">Not listed, missing, of another size, or of another hash.</exception>
    public static byte[] ReadPart(System.IO.Compression.ZipArchive zip, JsonObject manifest, string name, long maxBytes)
    {
        if (manifest["parts"] is not JsonObject parts || parts[name] is not JsonObject part)
            throw new InvalidDataException($"the manifest's \"parts\" does not list '{name}'.");
        var declared = part["bytes"] is JsonValue b && b.GetValueKind() == JsonValueKind.Number && b.TryGetValue(out long n) ? n
            : throw new InvalidDataException($"the size of '{name}' is {part["bytes"]?.ToJsonString() ?? "missing"}; expected an integer.");
        var hash = part["sha256"] is JsonValue h && h.GetValueKind() == JsonValueKind.String ? h.GetValue<string>()
            : throw new InvalidDataException($"the SHA-256 of '{name}' is {part["sha256"]?.ToJsonString() ?? "missing"}; expected a string.");
        var bytes = SafeFile.ReadEntry(zip, name, declared, maxBytes);
        var actual = Sha256(bytes);
        if (!string.Equals(hash, actual, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"the SHA-256 of '{name}' is {actual}, but the manifest records {hash}; the file is corrupt.");
        return bytes;
    }

    /// <summary>Refuses an archive holding an entry the manifest does not account for (e.g. a scaler whose listing was lost).</summary>
    public static void CheckNoStrayEntries(System.IO.Compression.ZipArchive zip, IEnumerable<string> known)
    {
        var expected = new HashSet<string>(known, StringComparer.Ordinal);
        foreach (var entry in zip.Entries)
            if (!expected.Contains(entry.FullName))
                throw new InvalidDataException($"the archive holds '{entry.FullName}', which the manifest does not list; the manifest is corrupt or the file was altered.");
    }

    private static string ContentHash(JsonObject root) => Sha256(Encoding.UTF8.GetBytes(root.ToJsonString()));
}
