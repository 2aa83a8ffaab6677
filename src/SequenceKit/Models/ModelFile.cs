using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using SequenceKit.IO;
using SequenceKit.Layers;
using SequenceKit.Preprocessing;

namespace SequenceKit.Models;

/// <summary>
/// The model file: a zip archive holding <c>manifest.json</c> (format, architecture, the weights' SHA-256 and the name
/// and shape of every parameter) and <c>weights.dat</c> (TorchSharp's state-dict format). Optional parts: the
/// scalers (<c>scalers/{name}.json</c>, listed under <c>"scalers"</c>), the vocabulary with its tokenizer settings
/// (<c>vocabulary.json</c>, named by <c>"vocabulary"</c>) and the class names (<c>"classNames"</c>, an array of
/// strings in class-index order). A model without a vocabulary or class names writes neither key, so its file is as
/// before; files without them load with <see cref="SequenceModel.Vocabulary"/> and <see cref="SequenceModel.ClassNames"/>
/// null. Older SequenceKit versions load a file that has them and ignore them. Nothing in the file is executed.
/// </summary>
internal static class ModelFile
{
    public const string Format = "SequenceKit.Model";
    public const int FormatVersion = 1;
    private const string ManifestEntry = "manifest.json";
    private const string WeightsEntry = "weights.dat";
    private const string ScalerFolder = "scalers/";
    private const string VocabularyEntry = "vocabulary.json";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void Write(SequenceModel model, string path, Func<Stream, Stream>? wrapStream = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] weights;
        using (var buffer = new MemoryStream())
        {
            model.save(buffer);
            weights = buffer.ToArray();
        }
        // Everything is produced before the file is touched: an unfitted scaler or a bad name writes nothing.
        var scalers = model.Scalers.Select(p => (Name: CheckScalerName(p.Key), Json: p.Value.ToJson())).ToArray();
        var manifest = new JsonObject
        {
            ["format"] = Format,
            ["formatVersion"] = FormatVersion,
            ["sequenceKitVersion"] = typeof(ModelFile).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion,
            ["layers"] = new JsonArray(model.Layers.Select(l => (JsonNode)new JsonObject
            {
                ["type"] = l.TypeName,
                ["config"] = l.GetConfig(),
            }).ToArray()),
            ["weights"] = new JsonObject
            {
                ["entry"] = WeightsEntry,
                ["bytes"] = weights.LongLength,
                ["sha256"] = Convert.ToHexString(SHA256.HashData(weights)),
                ["parameters"] = new JsonArray(model.state_dict().Select(p => (JsonNode)new JsonObject
                {
                    ["name"] = p.Key,
                    ["shape"] = new JsonArray(p.Value.shape.Select(d => (JsonNode)d).ToArray()),
                }).ToArray()),
            },
            ["scalers"] = new JsonArray(scalers.Select(s => (JsonNode)s.Name).ToArray()),
        };
        var vocabularyJson = model.Vocabulary?.ToJson();
        if (vocabularyJson is not null) manifest["vocabulary"] = VocabularyEntry;
        if (model.ClassNames is { } classNames) manifest["classNames"] = new JsonArray(classNames.Select(n => (JsonNode)n).ToArray());

        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            using (var entry = zip.CreateEntry(ManifestEntry, CompressionLevel.Optimal).Open())
                JsonSerializer.Serialize(entry, manifest, Indented);
            using (var entry = zip.CreateEntry(WeightsEntry, CompressionLevel.Fastest).Open())
                entry.Write(weights);
            foreach (var (name, json) in scalers)
                using (var entry = zip.CreateEntry(ScalerFolder + name + ".json", CompressionLevel.Optimal).Open())
                    entry.Write(System.Text.Encoding.UTF8.GetBytes(json));
            if (vocabularyJson is not null)
                using (var entry = zip.CreateEntry(VocabularyEntry, CompressionLevel.Optimal).Open())
                    entry.Write(System.Text.Encoding.UTF8.GetBytes(vocabularyJson));
        }, wrapStream);
    }

    public static SequenceModel Read(string path, SequenceModelOptions? options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No model file at '{path}'.", path);

        JsonObject manifest;
        byte[] weights;
        var scalers = new Dictionary<string, IScaler>(StringComparer.Ordinal);
        Vocabulary? vocabulary;
        string[]? classNames;
        try
        {
            using var zip = ZipFile.OpenRead(path);
            var manifestEntry = zip.GetEntry(ManifestEntry)
                ?? throw new ModelFileException(path, $"it has no {ManifestEntry}; it is a zip archive but not a SequenceKit model file.");
            using (var stream = manifestEntry.Open())
                manifest = JsonNode.Parse(stream) as JsonObject
                    ?? throw new ModelFileException(path, $"{ManifestEntry} is not a JSON object.");
            CheckFormat(path, manifest);
            var weightsInfo = Get<JsonObject>(path, manifest, "weights");
            var entryName = Get<string>(path, weightsInfo, "entry");
            var weightsEntry = zip.GetEntry(entryName) ?? throw new ModelFileException(path, $"the weights entry '{entryName}' is missing.");
            var expectedBytes = Get<long>(path, weightsInfo, "bytes");
            if (weightsEntry.Length != expectedBytes)
                throw new ModelFileException(path, $"the weights are {weightsEntry.Length} bytes, but the manifest says {expectedBytes}; the file is corrupt.");
            weights = new byte[expectedBytes];
            using (var stream = weightsEntry.Open())
                stream.ReadExactly(weights);
            var expectedHash = Get<string>(path, weightsInfo, "sha256");
            var actualHash = Convert.ToHexString(SHA256.HashData(weights));
            if (!string.Equals(expectedHash, actualHash, StringComparison.OrdinalIgnoreCase))
                throw new ModelFileException(path, $"the weights' SHA-256 is {actualHash}, but the manifest says {expectedHash}; the file is corrupt.");
            foreach (var node in manifest["scalers"] as JsonArray ?? [])
            {
                var name = node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : throw new ModelFileException(path, "a 'scalers' entry is not a string.");
                var entry = zip.GetEntry(ScalerFolder + name + ".json") ?? throw new ModelFileException(path, $"the scaler '{name}' listed in the manifest is missing.");
                using var reader = new StreamReader(entry.Open());
                try
                {
                    scalers[name] = Scaler.FromJson(reader.ReadToEnd());
                }
                catch (SequenceKitException e)
                {
                    throw new ModelFileException(path, $"the scaler '{name}' cannot be read: {e.Message}", e);
                }
            }
            vocabulary = ReadVocabulary(path, zip, manifest);
            classNames = ReadClassNames(path, manifest);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or EndOfStreamException or NotSupportedException)
        {
            throw new ModelFileException(path, $"it is truncated, corrupt or not a SequenceKit model file ({e.Message}).", e);
        }

        var layers = Get<JsonArray>(path, manifest, "layers").Select((node, i) =>
        {
            var layer = node as JsonObject ?? throw new ModelFileException(path, $"layers[{i}] is not a JSON object.");
            var config = Get<JsonObject>(path, layer, "config");
            try
            {
                return LayerRegistry.Create(Get<string>(path, layer, "type"), (JsonObject)config.DeepClone());
            }
            catch (SequenceKitException e) when (e is not ModelFileException)
            {
                throw new ModelFileException(path, $"layers[{i}]: {e.Message}", e);
            }
        }).ToArray();

        SequenceModel model;
        try
        {
            model = new SequenceModel((options ?? new SequenceModelOptions()) with { Seed = null }, layers);
        }
        catch (SequenceKitException e) when (e is not ModelFileException)
        {
            throw new ModelFileException(path, $"its architecture is invalid: {e.Message}", e);
        }

        try
        {
            CheckParameters(path, model, Get<JsonArray>(path, Get<JsonObject>(path, manifest, "weights"), "parameters"));
            using var stream = new MemoryStream(weights, writable: false);
            model.load(stream, strict: true);
            model.eval();
            foreach (var (name, scaler) in scalers) model.Scalers[name] = scaler;
            try
            {
                model.Vocabulary = vocabulary;
                model.ClassNames = classNames;
            }
            catch (ArgumentException e)
            {
                throw new ModelFileException(path, $"its vocabulary or class names do not fit its architecture: {e.Message}", e);
            }
            return model;
        }
        catch (Exception e)
        {
            model.Dispose();
            if (e is ModelFileException) throw;
            throw new ModelFileException(path, $"its weights do not match its architecture ({e.Message}).", e);
        }
    }

    /// <summary>The vocabulary the manifest names, or null when it names none (older files, models without text).</summary>
    private static Vocabulary? ReadVocabulary(string path, ZipArchive zip, JsonObject manifest)
    {
        if (!manifest.TryGetPropertyValue("vocabulary", out var node) || node is null) return null;
        var name = node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>()
            : throw new ModelFileException(path, $"the manifest's 'vocabulary' must name an entry; got {node.ToJsonString()}.");
        var entry = zip.GetEntry(name) ?? throw new ModelFileException(path, $"the vocabulary entry '{name}' listed in the manifest is missing.");
        using var reader = new StreamReader(entry.Open());
        try
        {
            return Vocabulary.FromJson(reader.ReadToEnd());
        }
        catch (SequenceKitException e)
        {
            throw new ModelFileException(path, $"its vocabulary cannot be read: {e.Message}", e);
        }
    }

    /// <summary>The class names in the manifest, or null when it has none.</summary>
    private static string[]? ReadClassNames(string path, JsonObject manifest)
    {
        if (!manifest.TryGetPropertyValue("classNames", out var node) || node is null) return null;
        if (node is not JsonArray array)
            throw new ModelFileException(path, $"the manifest's 'classNames' must be an array of strings; got {node.ToJsonString()}.");
        return array.Select((item, i) => item?.GetValueKind() == JsonValueKind.String ? item.GetValue<string>()
            : throw new ModelFileException(path, $"classNames[{i}] must be a string; got {item?.ToJsonString() ?? "null"}.")).ToArray();
    }

    private static string CheckScalerName(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-') ? name
            : throw new ArgumentException($"Scaler name '{name}' must be non-empty and use only letters, digits, '.', '_' and '-'.", nameof(name));

    private static void CheckFormat(string path, JsonObject manifest)
    {
        var format = Get<string>(path, manifest, "format");
        if (format != Format)
            throw new ModelFileException(path, $"its format is '{format}', expected '{Format}'.");
        var version = Get<int>(path, manifest, "formatVersion");
        if (version > FormatVersion)
            throw new ModelFileException(path, $"it was written in format version {version} by a newer SequenceKit; this version reads up to {FormatVersion}. Upgrade SequenceKit.");
        if (version < 1)
            throw new ModelFileException(path, $"its format version {version} is invalid.");
    }

    private static void CheckParameters(string path, SequenceModel model, JsonArray stored)
    {
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var node in stored)
        {
            var item = node as JsonObject ?? throw new ModelFileException(path, "a weights.parameters item is not a JSON object.");
            shapes[Get<string>(path, item, "name")] = Get<JsonArray>(path, item, "shape").Select(d => d!.GetValue<long>()).ToArray();
        }
        if (ParameterShapes.Mismatch(model, shapes, "weights") is { } problem)
            throw new ModelFileException(path, $"{problem} The weights do not match the architecture.");
    }

    private static T Get<T>(string path, JsonObject json, string property)
    {
        if (!json.TryGetPropertyValue(property, out var node) || node is null)
            throw new ModelFileException(path, $"the manifest lacks '{property}'.");
        try
        {
            return node switch
            {
                T typed => typed,
                JsonValue value => value.GetValue<T>(),
                _ => throw new InvalidOperationException($"'{property}' is a {node.GetValueKind()}"),
            };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new ModelFileException(path, $"the manifest's '{property}' has the wrong type ({e.Message}).", e);
        }
    }
}
