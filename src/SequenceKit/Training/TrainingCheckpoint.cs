using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using SequenceKit.IO;
using SequenceKit.Models;
using TorchSharp.Modules;

namespace SequenceKit.Training;

/// <summary>
/// A training checkpoint: one zip file with the model's weights (TorchSharp format), the optimizer's state, and
/// <c>checkpoint.json</c> (the next epoch, the seed, the base learning rate, the metric scheduler's state, the history
/// and every parameter's name and shape). Random state needs no storing: each epoch reseeds from (seed, epoch).
/// </summary>
internal static class TrainingCheckpoint
{
    private const string Format = "SequenceKit.Checkpoint";
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static void Save(string path, SequenceModel model, OptimizerHelper optimizer, TrainerOptions options, History history, int nextEpoch, double baseRate,
        Func<Stream, Stream>? wrapStream = null)
    {
        byte[] weights, optimizerState;
        using (var buffer = new MemoryStream())
        {
            model.save(buffer);
            weights = buffer.ToArray();
        }
        using (var buffer = new MemoryStream())
        {
            using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) optimizer.save_state_dict(writer);
            optimizerState = buffer.ToArray();
        }
        var manifest = new JsonObject
        {
            ["format"] = Format,
            ["formatVersion"] = 1,
            ["nextEpoch"] = nextEpoch,
            ["seed"] = options.Seed,
            ["baseRate"] = baseRate,
            ["optimizer"] = optimizer.GetType().FullName,
            ["metricScheduler"] = options.MetricScheduler?.GetState(),
            ["history"] = JsonSerializer.SerializeToNode(history.Epochs.Select(e => new
            {
                e.Epoch,
                Metrics = e.Metrics.ToDictionary(m => m.Key, m => m.Value),
                e.LearningRate,
                Seconds = e.Duration.TotalSeconds,
            }), Json),
            ["parameters"] = new JsonArray(model.state_dict().Select(p => (JsonNode)new JsonObject
            {
                ["name"] = p.Key,
                ["shape"] = new JsonArray(p.Value.shape.Select(d => (JsonNode)d).ToArray()),
            }).ToArray()),
        };
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            Write(zip, "checkpoint.json", System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString(Json)));
            Write(zip, "weights.dat", weights);
            Write(zip, "optimizer.dat", optimizerState);
        }, wrapStream);
    }

    /// <summary>Restores everything into the given model and optimizer; returns the epoch to continue from and the base rate.</summary>
    public static (int NextEpoch, double BaseRate) Load(string path, SequenceModel model, OptimizerHelper optimizer, TrainerOptions options, History history)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No checkpoint at '{path}' to resume from.", path);
        try
        {
            using var zip = ZipFile.OpenRead(path);
            var manifest = JsonNode.Parse(Read(zip, "checkpoint.json")) as JsonObject ?? throw new JsonException("checkpoint.json is not an object");
            if ((string?)manifest["format"] != Format) throw new JsonException($"'format' is not '{Format}'");
            if ((int?)manifest["formatVersion"] != 1) throw new JsonException($"format version {manifest["formatVersion"]} is not supported");
            if ((int?)manifest["seed"] != options.Seed)
                throw new SequenceKitException($"The checkpoint '{path}' was written with Seed {manifest["seed"]}, but TrainerOptions.Seed is {options.Seed}; resume with the same seed to continue the run.");
            var optimizerType = (string?)manifest["optimizer"];
            if (optimizerType != optimizer.GetType().FullName)
                throw new SequenceKitException($"The checkpoint '{path}' holds {optimizerType} state, but the optimizer is {optimizer.GetType().FullName}; resume with the same optimizer.");

            var stored = manifest["parameters"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => p!["shape"]!.AsArray().Select(d => (long)d!).ToArray());
            if (ParameterShapes.Mismatch(model, stored, "checkpoint") is { } problem)
                throw new SequenceKitException($"The checkpoint '{path}' does not match the model: {problem} Build the same architecture before resuming.");

            using (var weights = new MemoryStream(Read(zip, "weights.dat"))) model.load(weights, strict: true);
            using (var state = new MemoryStream(Read(zip, "optimizer.dat")))
            using (var reader = new BinaryReader(state)) optimizer.load_state_dict(reader);

            if (options.MetricScheduler is { } scheduler && manifest["metricScheduler"] is JsonObject schedulerState)
                scheduler.SetState(schedulerState);
            history.Restore(manifest["history"]!.AsArray().Select(e => new EpochRecord(
                (int)e!["Epoch"]!,
                e["Metrics"]!.Deserialize<Dictionary<string, double>>(Json)!,
                e["LearningRate"]!.Deserialize<double>(Json),
                TimeSpan.FromSeconds(e["Seconds"]!.Deserialize<double>(Json)))));
            return ((int)manifest["nextEpoch"]!, manifest["baseRate"]!.Deserialize<double>(Json));
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or NullReferenceException or InvalidOperationException or EndOfStreamException or FormatException)
        {
            throw new SequenceKitException($"The checkpoint '{path}' cannot be read: it is truncated, corrupt or not a SequenceKit checkpoint ({e.Message}).", e);
        }
    }

    private static void Write(ZipArchive zip, string name, byte[] bytes)
    {
        using var entry = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
        entry.Write(bytes);
    }

    private static byte[] Read(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"entry '{name}' is missing");
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
