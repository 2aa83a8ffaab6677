using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SequenceKit.IO;

namespace SequenceKit.Preprocessing;

/// <summary>Saving and loading a scaler's state as JSON (format <c>SequenceKit.Scaler</c>).</summary>
public abstract partial class Scaler
{
    // ---- persistence ----

    /// <inheritdoc />
    public string ToJson()
    {
        var stats = Statistics;
        var root = new JsonObject
        {
            ["format"] = Spec.Name,
            ["formatVersion"] = Spec.Current,
            ["type"] = GetType().Name,
            ["options"] = OptionsToJson(Json),
            ["state"] = new JsonObject
            {
                ["featureCount"] = stats.FeatureCount,
                ["samplesSeen"] = stats.Rows,
                ["count"] = JsonSerializer.SerializeToNode(stats.Count, Json),
                ["mean"] = JsonSerializer.SerializeToNode(stats.Mean, Json),
                ["m2"] = JsonSerializer.SerializeToNode(stats.M2, Json),
                ["min"] = JsonSerializer.SerializeToNode(stats.Min, Json),
                ["max"] = JsonSerializer.SerializeToNode(stats.Max, Json),
            },
        };
        // Only features with values beyond 2^400 keep M2 in scaled units; files without them stay as before.
        if (stats.Exponent.Any(e => e != 0)) root["state"]!["m2Exponent"] = JsonSerializer.SerializeToNode(stats.Exponent, Json);
        return StateFile.Write(root, Json);
    }

    /// <inheritdoc />
    public void Save(string path)
    {
        var json = ToJson();
        AtomicFile.Write(path, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(json)));
    }

    /// <summary>
    /// Recreates a fitted scaler of whichever type the JSON holds. Format version 2 (written now) must carry its content
    /// hash, which is verified before anything is deserialized; version 1 (no hash) is read with content checks only.
    /// </summary>
    /// <param name="json">Text written by <see cref="ToJson"/>; at most <see cref="SequenceKitLimits.MaxJsonBytes"/> characters.</param>
    /// <returns>The scaler, fitted.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    /// <exception cref="PreprocessingFileException">
    /// The JSON is malformed, of another format or a newer version, its hash is missing or does not match, or its state
    /// is one fitting could not produce (counts outside [0, samplesSeen], min &gt; max, a non-finite mean, featureCount over
    /// <see cref="SequenceKitLimits.MaxUnits"/>); <see cref="PreprocessingFileException.Path"/> is null.
    /// </exception>
    public static IScaler FromJson(string json) => StateFile.FromText(json, Kind, Spec, (root, _) => Parse(root));

    /// <summary>Loads a scaler saved with <see cref="Save"/>, checked as <see cref="FromJson"/> checks its text.</summary>
    /// <param name="path">The file: a regular file of at most <see cref="SequenceKitLimits.MaxJsonBytes"/> bytes.</param>
    /// <returns>The scaler, fitted, of the type that was saved.</returns>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="PreprocessingFileException">
    /// The file is not a regular file, too large, corrupt (its hash does not match), not a scaler file, or inconsistent;
    /// <see cref="PreprocessingFileException.Path"/> names it.
    /// </exception>
    public static IScaler Load(string path) => StateFile.Load(path, Kind, Spec, (root, _) => Parse(root));

    private const string Kind = "scaler";

    private protected static T LoadAs<T>(string path) where T : Scaler
    {
        var scaler = Load(path);
        return scaler as T ?? throw new PreprocessingFileException(Kind, path,
            $"it holds a {scaler.GetType().Name}, not a {typeof(T).Name}. Load it with {nameof(Scaler)}.{nameof(Load)} or the matching type");
    }

    // Versions 1 and 2 hold the same content; only the hash differs.
    private static Scaler Parse(JsonObject root)
    {
        var options = root["options"] ?? throw new JsonException("'options' is missing");
        Scaler scaler = (string?)root["type"] switch
        {
            nameof(MinMaxScaler) => new MinMaxScaler(options.Deserialize<MinMaxScalerOptions>(Json) ?? throw new JsonException("'options' is null")),
            nameof(StandardScaler) => new StandardScaler(options.Deserialize<StandardScalerOptions>(Json) ?? throw new JsonException("'options' is null")),
            var other => throw new JsonException($"unknown scaler type '{other}' (known: {nameof(MinMaxScaler)}, {nameof(StandardScaler)})"),
        };
        var state = root["state"] as JsonObject ?? throw new JsonException("'state' is missing");
        var features = (int?)state["featureCount"] ?? throw new JsonException("'featureCount' is missing");
        if (features < 1 || features > SequenceKitLimits.MaxUnits)
            throw new JsonException($"'featureCount' is {features}; expected 1 to {SequenceKitLimits.MaxUnits} (SequenceKitLimits.MaxUnits)");
        var stats = new FeatureStatistics(features) { Rows = (long?)state["samplesSeen"] ?? throw new JsonException("'samplesSeen' is missing") };
        Fill(state, "count", stats.Count);
        Fill(state, "mean", stats.Mean);
        Fill(state, "m2", stats.M2);
        Fill(state, "min", stats.Min);
        Fill(state, "max", stats.Max);
        if (state["m2Exponent"] is not null) Fill(state, "m2Exponent", stats.Exponent);
        CheckState(stats);
        scaler.Adopt(stats);
        return scaler;

        // What Fit could have produced: counts in [0, samplesSeen]; a feature with values has finite mean, M2 ≥ 0 and
        // min ≤ max; one without has min +∞ and max −∞ (as FeatureStatistics starts).
        static void CheckState(FeatureStatistics stats)
        {
            if (stats.Rows < 0) throw new JsonException($"'samplesSeen' is {stats.Rows}; expected ≥ 0");
            for (var f = 0; f < stats.FeatureCount; f++)
            {
                var count = stats.Count[f];
                if (count < 0 || count > stats.Rows)
                    throw new JsonException($"count[{f}] is {count}; expected 0 to samplesSeen ({stats.Rows})");
                if (count > 0 && !(double.IsFinite(stats.Mean[f]) && stats.M2[f] >= 0 && !double.IsNaN(stats.M2[f]) && stats.Min[f] <= stats.Max[f]
                    && double.IsFinite(stats.Min[f]) && double.IsFinite(stats.Max[f]) && Math.Abs(stats.Exponent[f]) <= 2100))
                    throw new JsonException($"feature {f} has mean {stats.Mean[f]}, m2 {stats.M2[f]}, min {stats.Min[f]}, max {stats.Max[f]}; expected a finite mean, m2 ≥ 0 and finite min ≤ max");
            }
        }

        static void Fill<T>(JsonObject state, string name, T[] target)
        {
            var values = state[name]?.Deserialize<T[]>(Json) ?? throw new JsonException($"'{name}' is missing");
            if (values.Length != target.Length)
                throw new JsonException($"'{name}' has {values.Length} values for {target.Length} features");
            values.CopyTo(target, 0);
        }
    }
}
