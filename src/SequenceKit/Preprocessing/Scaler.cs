using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SequenceKit.Backends;
using SequenceKit.IO;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace SequenceKit.Preprocessing;

/// <summary>
/// The shared machinery of SequenceKit's scalers. Every scaler is a per-feature affine map
/// <c>y = (x − center) · scale + shift</c> (subtracting first keeps precision for data far from zero) derived from statistics gathered in one pass (count, mean, M2, min, max, merged with
/// Chan et al.'s pairwise update); this class reads every input form, validates it, gathers the statistics, applies
/// the map vectorized (<see cref="TensorPrimitives"/> on arrays, TorchSharp ops on tensors) and saves the state as JSON.
/// Fitting is not thread-safe; transforming with a fitted scaler is.
/// </summary>
public abstract class Scaler : IScaler
{
    /// <summary>Version 2 carries the content hash; version 1 (before issue 13, no hash) is still read, with content checks only.</summary>
    internal static readonly FileFormat.FormatSpec Spec = new("SequenceKit.Scaler", Current: 2, Oldest: 1);
    private const int TileTarget = 4096;     // elements per vectorized chunk

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(allowIntegerValues: false) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private FeatureStatistics? statistics;
    private double[] center = [], scale = [], shift = [], inverseScale = [];
    // Center, scale and shift repeated to a whole number of rows near TileTarget elements, so that one vectorized
    // call covers many rows of row-major data: [center, scale, shift] forward, then the same for the inverse map.
    private float[][] floatTiles = [];
    private double[][] doubleTiles = [];

    private protected Scaler() { }

    /// <inheritdoc />
    public bool IsFitted => statistics is not null;

    /// <inheritdoc />
    public int FeatureCount => statistics?.FeatureCount ?? 0;

    /// <inheritdoc />
    public long SamplesSeen => statistics?.Rows ?? 0;

    /// <inheritdoc />
    public IReadOnlyList<long> ValuesSeenPerFeature => statistics?.Count.AsReadOnly() ?? (IReadOnlyList<long>)[];

    /// <summary>The fitted map per feature: <c>y = (x − Center) · Scale + Shift</c>.</summary>
    private protected (double[] Center, double[] Scale, double[] Shift) FittedMap => (Fitted().center, scale, shift);

    /// <summary>The statistics learned so far.</summary>
    private protected FeatureStatistics Statistics => Fitted().statistics!;

    /// <summary>Derives the per-feature map <c>y = (x − center) · scale + shift</c> from the statistics.</summary>
    private protected abstract void ComputeMap(FeatureStatistics stats, double[] center, double[] scale, double[] shift);

    /// <summary>The range transformed values are clipped to, or null for no clipping.</summary>
    private protected virtual (double Low, double High)? ClipRange => null;

    /// <summary>The options as JSON, for <see cref="ToJson"/>.</summary>
    private protected abstract JsonNode OptionsToJson(JsonSerializerOptions json);

    // ---- Fit / PartialFit / Transform / InverseTransform / FitTransform ----

    /// <inheritdoc />
    public void Fit(NumericArray data) => Learn(data, reset: true);

    /// <inheritdoc />
    public void PartialFit(NumericArray data) => Learn(data, reset: false);

    /// <summary>
    /// Fits on the inputs of a dataset: every step of every sample is one row of features (padded steps beyond a
    /// sample's length are left out). The data is read a chunk of samples at a time, so a memory-mapped
    /// <c>.npy</c> file or lazy windows are never copied whole; the scaler changes only once every chunk was read.
    /// </summary>
    /// <param name="data">A dataset of floating-point inputs, (samples, time, features) or (samples, features).</param>
    /// <exception cref="ArgumentException">The inputs are token indices, or hold ±Infinity (the message names the dataset row, step and feature).</exception>
    public void Fit(SequenceDataset data) => LearnDataset(data, reset: true);

    /// <summary>
    /// Updates the statistics with the inputs of a dataset, as <see cref="Fit(SequenceDataset)"/> reads them; the
    /// result is the same as fitting on all the data seen so far at once.
    /// </summary>
    /// <param name="data">A dataset of floating-point inputs with the features this scaler was fitted on.</param>
    /// <exception cref="ArgumentException">The inputs are token indices, hold ±Infinity, or have another number of features.</exception>
    public void PartialFit(SequenceDataset data) => LearnDataset(data, reset: false);

    /// <inheritdoc />
    public T Transform<T>(T data) where T : class => (T)Map(NumericArray.Of(data, nameof(data)), inverse: false);

    /// <inheritdoc />
    public T InverseTransform<T>(T data) where T : class => (T)Map(NumericArray.Of(data, nameof(data)), inverse: true);

    /// <inheritdoc />
    public T FitTransform<T>(T data) where T : class
    {
        var values = NumericArray.Of(data, nameof(data));
        CheckMappable(values);                    // nothing is fitted when the result could not be returned
        Learn(values, reset: true);
        return (T)Map(values, inverse: false);
    }

    // ---- allocation-free spans ----

    /// <summary>
    /// Transforms row-major values (rows × <see cref="FeatureCount"/>) into <paramref name="destination"/> without
    /// allocating; <paramref name="source"/> and <paramref name="destination"/> may be the same memory.
    /// </summary>
    /// <param name="source">Row-major values; length a positive multiple of <see cref="FeatureCount"/>.</param>
    /// <param name="destination">Receives the scaled values; the same length as <paramref name="source"/>.</param>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    /// <exception cref="ArgumentException">The lengths do not fit, or the values hold ±Infinity.</exception>
    public void Transform(ReadOnlySpan<float> source, Span<float> destination) => MapSpan(source, destination, inverse: false);

    /// <inheritdoc cref="Transform(ReadOnlySpan{float}, Span{float})" />
    public void Transform(ReadOnlySpan<double> source, Span<double> destination) => MapSpan(source, destination, inverse: false);

    /// <summary>The inverse of <see cref="Transform(ReadOnlySpan{float}, Span{float})"/>, without allocating.</summary>
    /// <param name="source">Row-major scaled values; length a positive multiple of <see cref="FeatureCount"/>.</param>
    /// <param name="destination">Receives the values in original units; the same length as <paramref name="source"/>.</param>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    /// <exception cref="ArgumentException">The lengths do not fit, or the values hold ±Infinity.</exception>
    public void InverseTransform(ReadOnlySpan<float> source, Span<float> destination) => MapSpan(source, destination, inverse: true);

    /// <inheritdoc cref="InverseTransform(ReadOnlySpan{float}, Span{float})" />
    public void InverseTransform(ReadOnlySpan<double> source, Span<double> destination) => MapSpan(source, destination, inverse: true);

    private void MapSpan<T>(ReadOnlySpan<T> source, Span<T> destination, bool inverse) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Fitted();
        if (source.Length == 0 || source.Length % FeatureCount != 0)
            throw new ArgumentException($"source has {source.Length} values; expected a positive multiple of the {FeatureCount} features this {GetType().Name} was fitted on.", nameof(source));
        if (destination.Length != source.Length)
            throw new ArgumentException($"destination has {destination.Length} values; expected {source.Length}, as many as source.", nameof(destination));
        ApplySpan(source, destination, inverse, 0, (row, feature) => $"[{row}, {feature}]");
    }

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

    // ---- implementation ----

    private protected Scaler Fitted() => statistics is not null ? this
        : throw new InvalidOperationException($"This {GetType().Name} is not fitted yet; call Fit first (or PartialFit for streaming data).");

    private void Learn(NumericArray data, bool reset)
    {
        switch (data.Require(nameof(data)))
        {
            case Tensor t: LearnTensor(t, reset); break;
            case float[] a: Learn(Matrix<float>.Of(a, [a.Length, 1]), reset); break;           // one feature
            case double[] a: Learn(Matrix<double>.Of(a, [a.Length, 1]), reset); break;
            case float[][] rows: Learn(Matrix<float>.Of(rows), reset); break;
            case double[][] rows: Learn(Matrix<double>.Of(rows), reset); break;
            case float[,] or float[,,]: Learn(Matrix<float>.Of((Array)data.Source!), reset); break;
            case double[,] or double[,,]: Learn(Matrix<double>.Of((Array)data.Source!), reset); break;
            default:                                                                            // integers: statistics in double
                var shape = data.Shape.Select(d => (int)d).ToArray();
                Learn(Matrix<double>.Of(data.ToFlat<double>(nameof(data)), shape.Length == 1 ? [shape[0], 1] : shape), reset);
                break;
        }
    }

    private static void CheckMappable(NumericArray data)
    {
        if (data.Source is not (Tensor or float[] or double[] or float[][] or double[][] or float[,] or double[,] or float[,,] or double[,,]))
            throw new ArgumentException(
                $"data is {data.Describe()}; Transform returns the type it is given, so it takes floating-point data (float or double " +
                "arrays, or a tensor). Convert integer values to double first.", nameof(data));
    }

    private object Map(NumericArray data, bool inverse)
    {
        CheckMappable(data);
        return data.Source switch
        {
            Tensor t => MapTensor(t, inverse),
            float[] a => Map(a, Matrix<float>.Of(a, [a.Length, 1]), inverse),
            double[] a => Map(a, Matrix<double>.Of(a, [a.Length, 1]), inverse),
            float[][] rows => MapRows(rows, inverse),
            double[][] rows => MapRows(rows, inverse),
            float[,] or float[,,] => Map((Array)data.Source, Matrix<float>.Of((Array)data.Source), inverse),
            _ => Map((Array)data.Source!, Matrix<double>.Of((Array)data.Source!), inverse),
        };
    }

    private void LearnDataset(SequenceDataset data, bool reset)
    {
        ArgumentNullException.ThrowIfNull(data);
        var inputs = data.Inputs;
        if (!is_floating_point(inputs) || inputs.Dimensions is not (2 or 3))
            throw new ArgumentException(
                $"data holds {inputs.dtype} inputs of shape [{string.Join(", ", inputs.shape)}]; a scaler learns floating-point features, " +
                "(samples, time, features) or (samples, features). Token indices are not scaled.", nameof(data));
        var features = inputs.shape[^1];
        var steps = inputs.Dimensions == 3 ? inputs.shape[1] : 1;
        if (!reset && statistics is not null && features != statistics.FeatureCount)
            throw FeatureMismatch((int)features, "PartialFit");
        var accumulator = new FeatureStatistics.Accumulator((int)features);
        var samplesPerChunk = Data.TensorChunks.RowsPerChunk(inputs);        // the input checks' chunks: about 2^22 values
        for (long start = 0; start < data.Count; start += samplesPerChunk)
        {
            using var scope = NewDisposeScope();
            var count = Math.Min(samplesPerChunk, data.Count - start);
            var chunk = inputs.narrow(0, start, count).reshape(count, steps, features).cpu();
            Tensor values;
            long[]? origin = null;                                          // (row, step) of each value row, with lengths
            if (data.Lengths is { } lengths && inputs.Dimensions == 3)
            {
                var real = arange(steps, device: CPU).unsqueeze(0).lt(lengths.narrow(0, start, count).to(ScalarType.Int64).cpu().unsqueeze(1));   // (count, steps)
                values = chunk[real];                                       // (real steps, features)
                origin = real.nonzero().contiguous().data<long>().ToArray();
            }
            else values = chunk.reshape(-1, features);
            string Position(long row, int feature) => origin is null
                ? $"row {start + row / steps} of the dataset, step {row % steps}, feature {feature}"
                : $"row {start + origin[2 * row]} of the dataset, step {origin[2 * row + 1]}, feature {feature}";
            if (values.dtype == ScalarType.Float64) accumulator.Add<double>(values.contiguous().data<double>().ToArray(), 0, Position);
            else accumulator.Add<float>(values.to(ScalarType.Float32).contiguous().data<float>().ToArray(), 0, Position);
        }
        Commit(accumulator, reset);
    }

    private void Learn<T>(Matrix<T> data, bool reset) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!reset && statistics is not null && data.Features != statistics.FeatureCount)
            throw FeatureMismatch(data.Features, "PartialFit");
        var accumulator = new FeatureStatistics.Accumulator(data.Features);
        data.ForEachBlock((rows, firstRow) => accumulator.Add(rows, firstRow, data.Position));
        Commit(accumulator, reset);
    }

    /// <summary>Takes (or merges) what an accumulator saw; validated data only, so state changes only here.</summary>
    private void Commit(FeatureStatistics.Accumulator accumulator, bool reset)
    {
        var batch = accumulator.Complete();
        if (reset || statistics is null) statistics = batch;
        else statistics.Merge(batch);
        Adopt(statistics);
    }

    private void LearnTensor(Tensor data, bool reset)
    {
        var (values, shape) = CheckTensor(data);
        using var scope = NewDisposeScope();
        var cpu = values.detach().cpu().contiguous();
        if (cpu.dtype == ScalarType.Float64) Learn(Matrix<double>.Of(cpu.data<double>().ToArray(), shape), reset);
        else Learn(Matrix<float>.Of(cpu.to(ScalarType.Float32).data<float>().ToArray(), shape), reset);
    }

    private void Adopt(FeatureStatistics stats)
    {
        var (newCenter, newScale, newShift) = (new double[stats.FeatureCount], new double[stats.FeatureCount], new double[stats.FeatureCount]);
        ComputeMap(stats, newCenter, newScale, newShift);
        var tileRows = Math.Max(1, TileTarget / stats.FeatureCount);
        // Inverse of y = (x − c)·s + t is x = (y − t)·(1/s) + c.
        var newInverseScale = newScale.Select(v => 1 / v).ToArray();
        var maps = new[] { newCenter, newScale, newShift, newShift, newInverseScale, newCenter };
        doubleTiles = maps.Select(m => Tile(m, tileRows)).ToArray();
        floatTiles = doubleTiles.Select(t => t.Select(v => (float)v).ToArray()).ToArray();
        (statistics, center, scale, shift, inverseScale) = (stats, newCenter, newScale, newShift, newInverseScale);
    }

    private static double[] Tile(double[] perFeature, int rows)
    {
        var tile = new double[perFeature.Length * rows];
        for (var r = 0; r < rows; r++) perFeature.CopyTo(tile, r * perFeature.Length);
        return tile;
    }

    private TArray Map<TArray, T>(TArray data, Matrix<T> source, bool inverse)
        where TArray : class where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckFeatures(source.Features);
        var array = (Array)(object)data;
        var result = (TArray)(object)Array.CreateInstance(typeof(T), Enumerable.Range(0, array.Rank).Select(array.GetLength).ToArray());
        Apply(source, Matrix<T>.Writable((Array)(object)result), inverse);
        return result;
    }

    private T[][] MapRows<T>(T[][] data, bool inverse) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var source = Matrix<T>.Of(data);
        CheckFeatures(source.Features);
        var result = new T[data.Length][];
        for (var i = 0; i < data.Length; i++)
        {
            result[i] = new T[source.Features];
            ApplySpan<T>(data[i], result[i], inverse, i, source.Position);
        }
        return result;
    }

    private void Apply<T>(Matrix<T> source, Span<T> destination, bool inverse) where T : unmanaged, IFloatingPointIeee754<T> =>
        ApplySpan(source.Flat, destination, inverse, 0, source.Position);

    private void ApplySpan<T>(ReadOnlySpan<T> source, Span<T> destination, bool inverse, long firstRow, Func<long, int, string> position)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var features = FeatureCount;
        if (TensorPrimitives.IsInfinityAny(source))
        {
            var index = FirstInfinity(source);
            throw new ArgumentException(
                $"data holds {(source[index] > T.Zero ? "+" : "-")}Infinity at {position(firstRow + index / features, index % features)}; " +
                "scalers accept finite values and NaN. Replace or drop infinite values first.", "data");
        }
        var tiles = Tiles<T>();
        var first = inverse ? 3 : 0;
        ReadOnlySpan<T> centers = tiles[first], multipliers = tiles[first + 1], shifts = tiles[first + 2];
        for (var start = 0; start < source.Length; start += centers.Length)
        {
            var length = Math.Min(centers.Length, source.Length - start);
            var output = destination.Slice(start, length);
            TensorPrimitives.Subtract(source.Slice(start, length), centers[..length], output);     // chunk stays in L1
            TensorPrimitives.MultiplyAdd(output, multipliers[..length], shifts[..length], output);
        }
        if (!inverse && ClipRange is var (low, high))
        {
            TensorPrimitives.Max(destination, T.CreateTruncating(low), destination);     // NaN stays NaN
            TensorPrimitives.Min(destination, T.CreateTruncating(high), destination);
        }
    }

    private static int FirstInfinity<T>(ReadOnlySpan<T> values) where T : IFloatingPointIeee754<T>
    {
        for (var i = 0; i < values.Length; i++) if (T.IsInfinity(values[i])) return i;
        return 0;
    }

    private T[][] Tiles<T>() => typeof(T) == typeof(float) ? (T[][])(object)floatTiles : (T[][])(object)doubleTiles;

    private Tensor MapTensor(Tensor data, bool inverse)
    {
        var (values, _) = CheckTensor(data);
        CheckFeatures((int)values.shape[^1]);
        using var scope = NewDisposeScope();
        if (isinf(values).any().item<bool>())
        {
            var at = string.Join(", ", isinf(values).nonzero()[0].data<long>().ToArray());
            throw new ArgumentException($"data holds ±Infinity at [{at}]; scalers accept finite values and NaN. Replace or drop infinite values first.", "data");
        }
        var (c, s, t) = inverse ? (shift, inverseScale, center) : (center, scale, shift);
        Tensor PerFeature(double[] v) => tensor(v).to(values.dtype, values.device);          // (F), broadcast over rows
        var y = (values - PerFeature(c)) * PerFeature(s) + PerFeature(t);
        if (!inverse && ClipRange is var (low, high)) y = y.clamp(low, high);
        return y.MoveToOuterDisposeScope();
    }

    private static (Tensor Values, int[] Shape) CheckTensor(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        NativeRuntime.EnsureAvailable();
        if (data.Dimensions is not (2 or 3))
            throw new ArgumentException($"data must have rank 2 (samples, features) or 3 (samples, time, features); got rank {data.Dimensions}, shape [{string.Join(", ", data.shape)}].", nameof(data));
        if (!is_floating_point(data))
            throw new ArgumentException($"data must be a floating-point tensor; got dtype {data.dtype}.", nameof(data));
        if (data.numel() == 0)
            throw new ArgumentException($"data is empty (shape [{string.Join(", ", data.shape)}]).", nameof(data));
        return (data, data.shape.Select(d => (int)d).ToArray());
    }

    private void CheckFeatures(int features)
    {
        Fitted();
        if (features != FeatureCount) throw FeatureMismatch(features, "Transform");
    }

    private ArgumentException FeatureMismatch(int features, string operation) => new(
        $"data has {features} feature(s) in its last dimension, but this {GetType().Name} was fitted on {FeatureCount}; " +
        $"{operation} needs the same features in the same order.", "data");

    /// <summary>Row-major data of any supported form: a flat span (or rows of a jagged array) and the feature count.</summary>
    private readonly struct Matrix<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Array? array;
        private readonly T[][]? rows;
        private readonly int[] shape;

        private Matrix(Array? array, T[][]? rows, int[] shape)
        {
            (this.array, this.rows, this.shape) = (array, rows, shape);
            if (shape.Any(d => d == 0))
                throw new ArgumentException($"data is empty (shape [{string.Join(", ", shape)}]); give at least one sample with at least one feature.", "data");
        }

        public int Features => shape[^1];

        public ReadOnlySpan<T> Flat => array is null ? throw new InvalidOperationException("jagged data has no flat view")
            : NumericArray.Elements<T>(array);

        public static Matrix<T> Of(Array data)
        {
            ArgumentNullException.ThrowIfNull(data, nameof(data));
            return new(data, null, Enumerable.Range(0, data.Rank).Select(data.GetLength).ToArray());
        }

        public static Matrix<T> Of(T[] flat, int[] shape) => new(flat, null, shape);

        public static Matrix<T> Of(T[][] data)
        {
            ArgumentNullException.ThrowIfNull(data, nameof(data));
            if (data.Length == 0) throw new ArgumentException("data is empty (0 rows); give at least one sample.", nameof(data));
            for (var i = 0; i < data.Length; i++)
            {
                if (data[i] is null) throw new ArgumentException($"data[{i}] is null.", nameof(data));
                if (data[i].Length != data[0].Length)
                    throw new ArgumentException($"data is ragged: data[{i}] has {data[i].Length} values but data[0] has {data[0].Length}; every row needs the same features.", nameof(data));
            }
            return new(null, data, [data.Length, data[0].Length]);
        }

        public static Span<T> Writable(Array array) => NumericArray.Elements<T>(array);

        public void ForEachBlock(SpanAction<T, long> action)
        {
            if (rows is null) { action(Flat, 0); return; }
            for (var i = 0; i < rows.Length; i++) action(rows[i], i);
        }

        /// <summary>The caller's index of (row, feature): [i, j], [sample, step, j] or [i][j].</summary>
        public string Position(long row, int feature) => rows is not null ? $"[{row}][{feature}]"
            : shape.Length == 3 ? $"[{row / shape[1]}, {row % shape[1]}, {feature}]" : $"[{row}, {feature}]";

        public delegate void SpanAction<TItem, TArg>(ReadOnlySpan<TItem> span, TArg argument);
    }
}
