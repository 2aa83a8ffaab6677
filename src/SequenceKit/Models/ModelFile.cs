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
/// The model file: a zip archive holding <c>manifest.json</c> (format, architecture, the parameter manifest, every
/// part's byte count and SHA-256, and the SHA-256 of its own content) and <c>weights.dat</c> (TorchSharp's state-dict
/// format). Optional parts: the scalers (<c>scalers/{name}.json</c>, listed under <c>"scalers"</c>), the vocabulary with
/// its tokenizer settings (<c>vocabulary.json</c>, named by <c>"vocabulary"</c>) and the class names
/// (<c>"classNames"</c>, an array of strings in class-index order). Nothing in the file is executed.
/// Reading checks, in order and before the model is built: a regular file, at most
/// <see cref="SequenceKitLimits.MaxArchiveEntries"/> entries, the format and version (<see cref="FileFormat"/>), the
/// manifest's own hash, no entry the manifest does not list, each part's size (bounded reads) and hash, the caps of
/// <see cref="SequenceKitLimits"/>; then, layer by layer and before each is allocated, the parameters its configuration
/// implies against the parameter list and the weights' byte count (<see cref="ModelFileLayerCheck"/>); then the
/// weights are checked in managed code against the built model and copied in.
/// Format version 1 files (SequenceKit before issue 13: only the weights are hashed) are still read.
/// </summary>
internal static class ModelFile
{
    /// <summary>Version 2 hashes every part and the manifest; version 1 (weights hash only) is still read.</summary>
    internal static readonly FileFormat.FormatSpec Spec = new("SequenceKit.Model", Current: 2, Oldest: 1);
    public const string Format = "SequenceKit.Model";
    public const int FormatVersion = 2;
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
        var scalers = model.Scalers.Select(p => (Name: CheckScalerName(p.Key), Json: System.Text.Encoding.UTF8.GetBytes(p.Value.ToJson()))).ToArray();
        var vocabularyJson = model.Vocabulary?.ToJson() is { } v ? System.Text.Encoding.UTF8.GetBytes(v) : null;
        var parts = new JsonObject { [WeightsEntry] = FileFormat.PartEntry(weights) };
        foreach (var (name, json) in scalers) parts[ScalerFolder + name + ".json"] = FileFormat.PartEntry(json);
        if (vocabularyJson is not null) parts[VocabularyEntry] = FileFormat.PartEntry(vocabularyJson);
        var manifest = new JsonObject
        {
            ["format"] = Spec.Name,
            ["formatVersion"] = Spec.Current,
            ["sequenceKitVersion"] = typeof(ModelFile).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion,
            ["layers"] = new JsonArray(model.Layers.Select(l => (JsonNode)new JsonObject
            {
                ["type"] = l.TypeName,
                ["config"] = l.GetConfig(),
            }).ToArray()),
            ["parameters"] = FileFormat.ParameterManifest(model),
            ["scalers"] = new JsonArray(scalers.Select(s => (JsonNode)s.Name).ToArray()),
        };
        if (vocabularyJson is not null) manifest["vocabulary"] = VocabularyEntry;
        if (model.ClassNames is { } classNames) manifest["classNames"] = new JsonArray(classNames.Select(n => (JsonNode)n).ToArray());
        manifest["parts"] = parts;
        FileFormat.Sign(manifest);

        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            using (var entry = zip.CreateEntry(ManifestEntry, CompressionLevel.Optimal).Open())
                JsonSerializer.Serialize(entry, manifest, Indented);
            using (var entry = zip.CreateEntry(WeightsEntry, CompressionLevel.Fastest).Open())
                entry.Write(weights);
            foreach (var (name, json) in scalers)
                using (var entry = zip.CreateEntry(ScalerFolder + name + ".json", CompressionLevel.Optimal).Open())
                    entry.Write(json);
            if (vocabularyJson is not null)
                using (var entry = zip.CreateEntry(VocabularyEntry, CompressionLevel.Optimal).Open())
                    entry.Write(vocabularyJson);
        }, wrapStream);
    }

    public static SequenceModel Read(string path, SequenceModelOptions? options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path) && !Directory.Exists(path)) throw new FileNotFoundException($"No model file at '{path}'.", path);
        var contents = SignedArchive.Read(path, ManifestEntry, Spec, "model file", (part, problem, e) => new ModelFileException(path, part, problem, e),
            archive => ReadContents(path, archive));
        return Build(path, contents, CreateLayers(path, contents.Layers), options);
    }

    /// <summary>Everything a model file holds, read and verified; nothing is allocated for the model yet.</summary>
    private sealed record Contents(JsonArray Layers, Dictionary<string, long[]> Parameters, byte[] Weights, Dictionary<string, IScaler> Scalers,
        Vocabulary? Vocabulary, string[]? ClassNames);

    private static Contents ReadContents(string path, SignedArchive archive)
    {
        var manifest = archive.Manifest;
        var layerList = Get<JsonArray>(path, manifest, "layers");
        if (layerList.Count is 0 or > SequenceKitLimits.MaxLayers)
            throw new ModelFileException(path, ManifestEntry, $"'layers' holds {layerList.Count} layers; expected 1 to {SequenceKitLimits.MaxLayers} (SequenceKitLimits.MaxLayers).");
        var scalerNames = (manifest["scalers"] as JsonArray ?? []).Select(node => node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>()
            : throw new ModelFileException(path, ManifestEntry, "a 'scalers' entry is not a string.")).ToArray();
        var vocabularyName = VocabularyName(path, manifest);
        foreach (var name in scalerNames)
            if (!archive.Has(ScalerFolder + name + ".json")) throw new ModelFileException(path, ManifestEntry, $"the scaler '{name}' listed in the manifest is missing.");
        if (vocabularyName is not null && !archive.Has(vocabularyName))
            throw new ModelFileException(path, ManifestEntry, $"the vocabulary entry '{vocabularyName}' listed in the manifest is missing.");
        var (parameters, weights) = archive.Hashed ? ReadWeights(archive, scalerNames, vocabularyName) : ReadVersion1Weights(path, archive);
        CheckParameterSizes(path, parameters);
        var scalers = new Dictionary<string, IScaler>(StringComparer.Ordinal);
        foreach (var name in scalerNames)
        {
            var bytes = archive.ReadPart(ScalerFolder + name + ".json", SequenceKitLimits.MaxJsonBytes);
            try
            {
                scalers[name] = Scaler.FromJson(System.Text.Encoding.UTF8.GetString(bytes));
            }
            catch (SequenceKitException e)
            {
                throw new ModelFileException(path, archive.CurrentPart, $"the scaler '{name}' cannot be read: {e.Message}", e);
            }
        }
        var vocabulary = vocabularyName is null ? null : ReadVocabulary(path, archive, vocabularyName);
        archive.CurrentPart = ManifestEntry;
        return new Contents(layerList, parameters, weights, scalers, vocabulary, ReadClassNames(path, manifest));
    }

    /// <summary>Format version 2: the parts list names exactly the weights, the scalers and the vocabulary; the parameter list is top-level.</summary>
    private static (Dictionary<string, long[]> Parameters, byte[] Weights) ReadWeights(SignedArchive archive, IEnumerable<string> scalerNames, string? vocabularyName)
    {
        var listed = new[] { WeightsEntry }.Concat(scalerNames.Select(n => ScalerFolder + n + ".json")).ToList();
        if (vocabularyName is not null) listed.Add(vocabularyName);
        archive.CheckParts(listed, ManifestEntry);
        var parameters = FileFormat.ReadParameterManifest(archive.Manifest["parameters"]);
        return (parameters, archive.ReadPart(WeightsEntry, SequenceKitLimits.MaxPartBytes));
    }

    /// <summary>Format version 1 (before issue 13): only the weights are hashed, described under <c>"weights"</c>.</summary>
    private static (Dictionary<string, long[]> Parameters, byte[] Weights) ReadVersion1Weights(string path, SignedArchive archive)
    {
        var weightsInfo = Get<JsonObject>(path, archive.Manifest, "weights");
        var parameters = FileFormat.ReadParameterManifest(weightsInfo["parameters"]);
        var entry = Get<string>(path, weightsInfo, "entry");
        var weights = archive.ReadPart(entry, SequenceKitLimits.MaxPartBytes, Get<long>(path, weightsInfo, "bytes"));
        var expectedHash = Get<string>(path, weightsInfo, "sha256");
        var actualHash = FileFormat.Sha256(weights);
        if (!string.Equals(expectedHash, actualHash, StringComparison.OrdinalIgnoreCase))
            throw new ModelFileException(path, entry, $"the weights' SHA-256 is {actualHash}, but the manifest says {expectedHash}; the file is corrupt.");
        return (parameters, weights);
    }

    private static void CheckParameterSizes(string path, Dictionary<string, long[]> parameters)
    {
        foreach (var (name, shape) in parameters)
        {
            double elements = 1;
            foreach (var d in shape) elements *= d;
            if (elements > SequenceKitLimits.MaxTensorElements)
                throw new ModelFileException(path, ManifestEntry, $"parameter '{name}' has shape [{string.Join(", ", shape)}], {elements:G} elements; at most {SequenceKitLimits.MaxTensorElements} (SequenceKitLimits.MaxTensorElements).");
        }
    }

    private static ISequenceLayer[] CreateLayers(string path, JsonArray layerList) => layerList.Select((node, i) =>
    {
        var layer = node as JsonObject ?? throw new ModelFileException(path, ManifestEntry, $"layers[{i}] is not a JSON object.");
        var config = Get<JsonObject>(path, layer, "config");
        try
        {
            return LayerRegistry.Create(Get<string>(path, layer, "type"), (JsonObject)config.DeepClone());
        }
        catch (Exception e) when (e is SequenceKitException and not ModelFileException || IsBuildFailure(e))
        {
            throw new ModelFileException(path, ManifestEntry, $"layers[{i}]: {e.Message}", e);
        }
    }).ToArray();

    /// <summary>Builds the model once its architecture is checked against the parameter list, and copies the checked weights in.</summary>
    private static SequenceModel Build(string path, Contents contents, ISequenceLayer[] layers, SequenceModelOptions? options)
    {
        // Nothing is allocated for the architecture before it is checked against the parameter list and the weights'
        // byte count (see ModelFileLayerCheck and LayerParameters for why arithmetic and not the meta device).
        var layerCheck = new ModelFileLayerCheck(path, contents.Parameters, contents.Weights.LongLength);
        layerCheck.CheckTotal();
        SequenceModel model;
        try
        {
            model = new SequenceModel((options ?? new SequenceModelOptions()) with { Seed = null }, layers, layerCheck);
        }
        catch (Exception e) when (e is SequenceKitException and not ModelFileException || IsBuildFailure(e))
        {
            throw new ModelFileException(path, ManifestEntry, $"its architecture is invalid: {e.Message}", e);
        }

        try
        {
            if (ParameterShapes.Mismatch(model, contents.Parameters, "weights") is { } problem)
                throw new ModelFileException(path, ManifestEntry, $"{problem.Message} The weights do not match the architecture.");
            using (var data = ReadWeights(path, contents.Weights, model)) data.CopyInto(model);
            model.eval();
            foreach (var (name, scaler) in contents.Scalers) model.Scalers[name] = scaler;
            try
            {
                model.Vocabulary = contents.Vocabulary;
                model.ClassNames = contents.ClassNames;
            }
            catch (ArgumentException e)
            {
                throw new ModelFileException(path, ManifestEntry, $"its vocabulary or class names do not fit its architecture: {e.Message}", e);
            }
            return model;
        }
        catch (Exception e)
        {
            model.Dispose();
            if (e is ModelFileException) throw;
            throw new ModelFileException(path, WeightsEntry, $"its weights do not match its architecture ({e.Message}).", e);
        }
    }

    /// <summary>Exceptions a layer constructor or libtorch may throw for sizes from a crafted manifest.</summary>
    private static bool IsBuildFailure(Exception e) =>
        e is ArgumentException or InvalidOperationException or OverflowException or OutOfMemoryException or System.Runtime.InteropServices.ExternalException or FormatException;

    private static StateDictData ReadWeights(string path, byte[] weights, SequenceModel model)
    {
        try
        {
            return StateDictData.Read(weights, model, WeightsEntry, requireFinite: false);
        }
        catch (InvalidDataException e)
        {
            throw new ModelFileException(path, WeightsEntry, $"{e.Message} The weights do not match the architecture.", e);
        }
    }

    /// <summary>The vocabulary entry the manifest names, or null when it names none (older files, models without text).</summary>
    private static string? VocabularyName(string path, JsonObject manifest)
    {
        if (!manifest.TryGetPropertyValue("vocabulary", out var node) || node is null) return null;
        return node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>()
            : throw new ModelFileException(path, ManifestEntry, $"the manifest's 'vocabulary' must name an entry; got {node.ToJsonString()}.");
    }

    private static Vocabulary ReadVocabulary(string path, SignedArchive archive, string name)
    {
        var bytes = archive.ReadPart(name, SequenceKitLimits.MaxJsonBytes);
        try
        {
            return Vocabulary.FromJson(System.Text.Encoding.UTF8.GetString(bytes));
        }
        catch (SequenceKitException e)
        {
            throw new ModelFileException(path, name, $"its vocabulary cannot be read: {e.Message}", e);
        }
    }

    /// <summary>The class names in the manifest, or null when it has none.</summary>
    private static string[]? ReadClassNames(string path, JsonObject manifest)
    {
        if (!manifest.TryGetPropertyValue("classNames", out var node) || node is null) return null;
        if (node is not JsonArray array)
            throw new ModelFileException(path, ManifestEntry, $"the manifest's 'classNames' must be an array of strings; got {node.ToJsonString()}.");
        return array.Select((item, i) => item?.GetValueKind() == JsonValueKind.String ? item.GetValue<string>()
            : throw new ModelFileException(path, ManifestEntry, $"classNames[{i}] must be a string; got {item?.ToJsonString() ?? "null"}.")).ToArray();
    }

    private static string CheckScalerName(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-') ? name
            : throw new ArgumentException($"Scaler name '{name}' must be non-empty and use only letters, digits, '.', '_' and '-'.", nameof(name));

    private static T Get<T>(string path, JsonObject json, string property)
    {
        if (!json.TryGetPropertyValue(property, out var node) || node is null)
            throw new ModelFileException(path, ManifestEntry, $"the manifest lacks '{property}'.");
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
            throw new ModelFileException(path, ManifestEntry, $"the manifest's '{property}' has the wrong type ({e.Message}).", e);
        }
    }
}
