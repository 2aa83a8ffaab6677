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
public abstract partial class Scaler : IScaler
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
}
