using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using SequenceKit.Backends;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace SequenceKit.Preprocessing;

/// <summary>Applying the fitted map to arrays, jagged rows, spans and tensors, vectorized, and checking what is mapped.</summary>
public abstract partial class Scaler
{
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
