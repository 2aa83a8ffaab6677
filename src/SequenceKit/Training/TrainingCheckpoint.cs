using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SequenceKit.IO;
using SequenceKit.Models;
using SequenceKit.Training.Schedulers;
using TorchSharp.Modules;

namespace SequenceKit.Training;

/// <summary>
/// A training checkpoint: one zip file with the model's weights (<c>weights.dat</c>, TorchSharp format), the
/// optimizer's state (<c>optimizer.dat</c>) and <c>checkpoint.json</c> (the next epoch, the seed, the base learning
/// rate, the optimizer's type, the metric scheduler's state, the history, the parameter manifest, each binary part's
/// byte count and SHA-256, and the SHA-256 of its own content). Random state needs no storing: each epoch reseeds from
/// (seed, epoch).
/// Resuming is a transaction: <see cref="Read"/> reads, verifies and checks every part into scratch objects and changes
/// nothing; <see cref="Resume.Apply"/> then copies them into the model, optimizer, scheduler and history.
/// </summary>
internal static class TrainingCheckpoint
{
    /// <summary>Version 2 adds the hashes and the parameters' dtypes; version 1 files (no hashes) are still read and checked part by part.</summary>
    internal static readonly FileFormat.FormatSpec Spec = new("SequenceKit.Checkpoint", Current: 2, Oldest: 1);
    internal const string ManifestEntry = "checkpoint.json";
    internal const string WeightsEntry = "weights.dat";
    internal const string OptimizerEntry = "optimizer.dat";
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
            using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true)) optimizer.save_state_dict(writer);
            optimizerState = buffer.ToArray();
        }
        var manifest = FileFormat.Sign(new JsonObject
        {
            ["format"] = Spec.Name,
            ["formatVersion"] = Spec.Current,
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
            ["parameters"] = FileFormat.ParameterManifest(model),
            ["parts"] = new JsonObject
            {
                [WeightsEntry] = FileFormat.PartEntry(weights),
                [OptimizerEntry] = FileFormat.PartEntry(optimizerState),
            },
        });
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            Write(zip, ManifestEntry, Encoding.UTF8.GetBytes(manifest.ToJsonString(Json)));
            Write(zip, WeightsEntry, weights);
            Write(zip, OptimizerEntry, optimizerState);
        }, wrapStream);
    }

    /// <summary>
    /// Reads and checks every part of the checkpoint against the model, optimizer and options; changes none of them.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="CheckpointFileException">Any part is missing, corrupt, out of range or does not fit the run.</exception>
    public static Resume Read(string path, SequenceModel model, OptimizerHelper optimizer, TrainerOptions options)
    {
        if (!File.Exists(path) && !Directory.Exists(path)) throw new FileNotFoundException($"No checkpoint at '{path}' to resume from.", path);
        return SignedArchive.Read(path, ManifestEntry, Spec, "checkpoint", (part, problem, e) => new CheckpointFileException(path, part, problem, e),
            archive => ReadParts(path, archive, model, optimizer, options));
    }

    private static Resume ReadParts(string path, SignedArchive archive, SequenceModel model, OptimizerHelper optimizer, TrainerOptions options)
    {
        var manifest = archive.Manifest;
        archive.CheckParts([WeightsEntry, OptimizerEntry], ManifestEntry);
        var seed = Integer(manifest, "seed", long.MinValue, long.MaxValue);
        if (seed != options.Seed)
            throw new CheckpointFileException(path, ManifestEntry, $"it was written with Seed {seed}, but TrainerOptions.Seed is {options.Seed}; resume with the same seed to continue the run.");
        var optimizerType = manifest["optimizer"] is JsonValue o && o.GetValueKind() == JsonValueKind.String ? o.GetValue<string>() : manifest["optimizer"]?.ToJsonString();
        if (optimizerType != optimizer.GetType().FullName)
            throw new CheckpointFileException(path, ManifestEntry, $"it holds {optimizerType} state, but the optimizer is {optimizer.GetType().FullName}; resume with the same optimizer.");
        var nextEpoch = (int)Integer(manifest, "nextEpoch", 0, options.Epochs);
        var baseRate = manifest["baseRate"] is JsonValue r && r.GetValueKind() == JsonValueKind.Number && r.TryGetValue(out double rate) ? rate : double.NaN;
        if (!(baseRate > 0 && double.IsFinite(baseRate)))
            throw new InvalidDataException($"'baseRate' is {manifest["baseRate"]?.ToJsonString() ?? "missing"}; expected a positive finite learning rate.");
        var records = ReadHistory(manifest["history"], nextEpoch);
        var schedulerState = manifest["metricScheduler"] switch
        {
            null => null,
            JsonObject state => state,
            var other => throw new InvalidDataException($"'metricScheduler' is {other.ToJsonString()}; expected an object or null."),
        };
        if (options.MetricScheduler is ReduceLrOnPlateau plateau && schedulerState is not null && plateau.StateProblem(schedulerState) is { } schedulerProblem)
            throw new InvalidDataException($"'metricScheduler' {schedulerProblem}");

        var stored = FileFormat.ReadParameterManifest(manifest["parameters"]);
        if (ParameterShapes.Mismatch(model, stored, "checkpoint") is { } problem)
            throw new CheckpointFileException(path, ManifestEntry, $"it does not match the model: {problem.Message} Build the same architecture before resuming.");

        var weightBytes = archive.ReadPart(WeightsEntry, SequenceKitLimits.MaxPartBytes);
        var optimizerBytes = archive.ReadPart(OptimizerEntry, SequenceKitLimits.MaxPartBytes);
        OptimizerStateData.Check(optimizerBytes, optimizer, OptimizerEntry);
        archive.CurrentPart = WeightsEntry;
        // Last: the only native allocation, handed to the Resume; nothing after it can fail.
        var weights = StateDictData.Read(weightBytes, model, WeightsEntry, requireFinite: true);
        return new Resume(path, nextEpoch, baseRate, records, schedulerState, weights, optimizerBytes);
    }

    /// <summary>Everything a checkpoint holds, read and checked; <see cref="Apply"/> is the only step that changes the run.</summary>
    internal sealed class Resume(string path, int nextEpoch, double baseRate, EpochRecord[] history, JsonObject? schedulerState,
        StateDictData weights, byte[] optimizerState) : IDisposable
    {
        /// <summary>The epoch to continue from.</summary>
        public int NextEpoch => nextEpoch;

        /// <summary>The base learning rate to continue with.</summary>
        public double BaseRate => baseRate;

        /// <summary>Whether the checkpoint held the metric scheduler's state.</summary>
        public bool HasSchedulerState => schedulerState is not null;

        /// <summary>Copies the checked state into the scheduler, the optimizer, the model and the history.</summary>
        public void Apply(SequenceModel model, OptimizerHelper optimizer, TrainerOptions options, History target)
        {
            try
            {
                // The scheduler first: a custom scheduler may still refuse its state, and the model is untouched then.
                if (options.MetricScheduler is { } scheduler && schedulerState is not null) scheduler.SetState(schedulerState);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or JsonException)
            {
                throw new CheckpointFileException(path, ManifestEntry, $"the metric scheduler refused its stored state ({e.Message}).", e);
            }
            using (var stream = new MemoryStream(optimizerState, writable: false))
            using (var reader = new BinaryReader(stream)) optimizer.load_state_dict(reader);
            weights.CopyInto(model);
            target.Restore(history);
        }

        /// <inheritdoc />
        public void Dispose() => weights.Dispose();
    }

    private static EpochRecord[] ReadHistory(JsonNode? node, int nextEpoch)
    {
        if (node is not JsonArray array) throw new InvalidDataException($"'history' is {node?.ToJsonString() ?? "missing"}; expected an array.");
        if (array.Count != nextEpoch)
            throw new InvalidDataException($"'history' holds {array.Count} epochs but 'nextEpoch' is {nextEpoch}; they must agree.");
        var records = new EpochRecord[array.Count];
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonObject e) throw new InvalidDataException($"history[{i}] is not an object.");
            var epoch = Integer(e, "Epoch", 0, int.MaxValue);
            if (epoch != i) throw new InvalidDataException($"history[{i}].Epoch is {epoch}; expected {i} (epochs in order from 0).");
            var metrics = e["Metrics"]?.Deserialize<Dictionary<string, double>>(Json)
                ?? throw new InvalidDataException($"history[{i}].Metrics is missing.");
            var rate = e["LearningRate"]?.Deserialize<double>(Json) ?? double.NaN;
            if (!(rate >= 0 && double.IsFinite(rate))) throw new InvalidDataException($"history[{i}].LearningRate is {rate}; expected a finite rate ≥ 0.");
            var seconds = e["Seconds"]?.Deserialize<double>(Json) ?? double.NaN;
            if (!(seconds >= 0 && seconds < TimeSpan.MaxValue.TotalSeconds)) throw new InvalidDataException($"history[{i}].Seconds is {seconds}; expected a finite duration ≥ 0.");
            records[i] = new EpochRecord((int)epoch, metrics, rate, TimeSpan.FromSeconds(seconds));
        }
        return records;
    }

    private static long Integer(JsonObject json, string name, long min, long max)
    {
        var value = json[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out long n) ? n : (long?)null;
        if (value is null || value < min || value > max)
            throw new InvalidDataException($"'{name}' is {json[name]?.ToJsonString() ?? "missing"}; expected an integer in [{min}, {max}].");
        return value.Value;
    }

    private static void Write(ZipArchive zip, string name, byte[] bytes)
    {
        using var entry = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
        entry.Write(bytes);
    }
}
