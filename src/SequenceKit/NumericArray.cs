using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SequenceKit.Backends;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit;

/// <summary>
/// Numbers in any of the shapes a .NET program holds them: <c>float</c>, <c>double</c>, <c>int</c> or <c>long</c>
/// arrays of rank 1 to 3, jagged <c>float[][]</c>/<c>double[][]</c> rows, or a TorchSharp tensor. Every SequenceKit
/// method that reads data takes this type, so any of those converts implicitly:
/// <c>SequenceDataset.FromArrays(series, labels)</c> works with <c>double[,,]</c> and <c>int[]</c> as well as with
/// <c>float[,,]</c> and <c>long[]</c>. The value only refers to the data; nothing is copied until it is read.
/// </summary>
public readonly struct NumericArray
{
    private NumericArray(object? source) => Source = source;

    /// <summary>The array or tensor this refers to; null when it was made from a null reference.</summary>
    internal object? Source { get; }

    /// <summary>Whether the values are integers (<c>int</c>, <c>long</c>, or an integer tensor).</summary>
    internal bool IsInteger => Source switch
    {
        int[] or long[] or int[,] or long[,] or int[,,] or long[,,] => true,
        Tensor t => is_integral(t.dtype),
        _ => false,
    };

    /// <summary>The shape: rows first (for jagged rows, [rows, columns]).</summary>
    internal long[] Shape => Source switch
    {
        Tensor t => t.shape,
        float[][] rows => JaggedShape(rows, r => r?.Length),
        double[][] rows => JaggedShape(rows, r => r?.Length),
        Array a => Enumerable.Range(0, a.Rank).Select(d => (long)a.GetLength(d)).ToArray(),
        _ => [],
    };

    /// <summary>The rank: 1 for a vector, 2 for a matrix, 3 for (samples, time, features).</summary>
    internal int Rank => Shape.Length;

    /// <summary>A description for messages, e.g. "double[,] of shape [100, 3]".</summary>
    internal string Describe() => Source switch
    {
        null => "null",
        Tensor t => $"a {t.dtype} tensor of shape [{string.Join(", ", t.shape)}]",
        _ => $"{TypeName(Source.GetType())} of shape [{string.Join(", ", Shape)}]",
    };

    /// <summary>The source, or an <see cref="ArgumentNullException"/> naming the parameter.</summary>
    internal object Require(string parameter) => Source ?? throw new ArgumentNullException(parameter);

#pragma warning disable CS1591 // the conversions are documented once, on the type
    public static implicit operator NumericArray(float[]? values) => new(values);
    public static implicit operator NumericArray(double[]? values) => new(values);
    public static implicit operator NumericArray(int[]? values) => new(values);
    public static implicit operator NumericArray(long[]? values) => new(values);
    public static implicit operator NumericArray(float[,]? values) => new(values);
    public static implicit operator NumericArray(double[,]? values) => new(values);
    public static implicit operator NumericArray(int[,]? values) => new(values);
    public static implicit operator NumericArray(long[,]? values) => new(values);
    public static implicit operator NumericArray(float[,,]? values) => new(values);
    public static implicit operator NumericArray(double[,,]? values) => new(values);
    public static implicit operator NumericArray(int[,,]? values) => new(values);
    public static implicit operator NumericArray(long[,,]? values) => new(values);
    public static implicit operator NumericArray(float[][]? rows) => new(rows);
    public static implicit operator NumericArray(double[][]? rows) => new(rows);
    public static implicit operator NumericArray(Tensor? values) => new(values);
#pragma warning restore CS1591

    /// <summary>
    /// Wraps a value of a generic type parameter (e.g. in <c>IScaler.Transform&lt;T&gt;</c>), or throws an
    /// <see cref="ArgumentException"/> naming the parameter and the supported types.
    /// </summary>
    internal static NumericArray Of<T>(T value, string parameter)
    {
        if (value is null) throw new ArgumentNullException(parameter);
        return value switch
        {
            float[] or double[] or int[] or long[] or float[,] or double[,] or int[,] or long[,] or float[,,] or double[,,]
                or int[,,] or long[,,] or float[][] or double[][] or Tensor => new NumericArray(value),
            _ => throw new ArgumentException(
                $"{parameter} is a {TypeName(value.GetType())}; expected float, double, int or long arrays of rank 1–3, " +
                "float[][] or double[][] rows, or a TorchSharp tensor.", parameter),
        };
    }

    /// <summary>
    /// A new tensor with a copy of the values: int64 for integers, float32 otherwise (or <paramref name="dtype"/>).
    /// Jagged rows must all have the same length.
    /// </summary>
    internal Tensor ToTensor(string parameter, ScalarType? dtype = null)
    {
        var source = Require(parameter);
        NativeRuntime.EnsureAvailable();
        var type = dtype ?? (IsInteger ? ScalarType.Int64 : ScalarType.Float32);
        if (source is Tensor t)
        {
            using var scope = NewDisposeScope();
            return t.detach().cpu().to(type).clone().MoveToOuterDisposeScope();
        }
        var shape = Shape;
        return type switch
        {
            ScalarType.Int64 => tensor(ToFlat<long>(parameter), shape),
            ScalarType.Float64 => tensor(ToFlat<double>(parameter), shape),
            _ => tensor(ToFlat<float>(parameter), shape).to(type),
        };
    }

    /// <summary>The values in row-major order, converted to <typeparamref name="T"/> (rounded to the nearest value).</summary>
    internal T[] ToFlat<T>(string parameter) where T : unmanaged, INumber<T> => Require(parameter) switch
    {
        float[] a => Convert<float, T>(a),
        double[] a => Convert<double, T>(a),
        int[] a => Convert<int, T>(a),
        long[] a => Convert<long, T>(a),
        float[][] rows => Convert<float, T>(Rows(rows, parameter)),
        double[][] rows => Convert<double, T>(Rows(rows, parameter)),
        Tensor t => TensorValues<T>(t),
        Array a => a.GetType().GetElementType() switch
        {
            var e when e == typeof(float) => Convert<float, T>(a),
            var e when e == typeof(double) => Convert<double, T>(a),
            var e when e == typeof(int) => Convert<int, T>(a),
            _ => Convert<long, T>(a),
        },
        var other => throw new ArgumentException($"{parameter} is a {TypeName(other.GetType())}, which holds no numbers.", parameter),
    };

    /// <summary>The values as a (rows, columns) float matrix: a vector becomes one column, a tensor or array of rank 2 stays.</summary>
    internal float[,] ToFloatMatrix(string parameter)
    {
        var shape = Shape;
        if (Require(parameter) is float[,] same) return same;
        if (shape.Length is not (1 or 2))
            throw new ArgumentException($"{parameter} must be a vector (time) or a matrix (time, features); got {Describe()}.", parameter);
        var flat = ToFlat<float>(parameter);
        var (rows, columns) = (shape[0], shape.Length == 1 ? 1 : shape[1]);
        var matrix = new float[rows, columns];
        flat.CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.As<byte, float>(ref MemoryMarshal.GetArrayDataReference(matrix)), matrix.Length));
        return matrix;
    }

    private static TOut[] Convert<TIn, TOut>(Array values) where TIn : unmanaged, INumber<TIn> where TOut : unmanaged, INumber<TOut>
    {
        var span = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, TIn>(ref MemoryMarshal.GetArrayDataReference(values)), values.Length);
        if (typeof(TIn) == typeof(TOut)) return MemoryMarshal.Cast<TIn, TOut>(span).ToArray();
        var result = new TOut[span.Length];
        for (var i = 0; i < span.Length; i++) result[i] = TOut.CreateSaturating(span[i]);
        return result;
    }

    private static TOut[] TensorValues<TOut>(Tensor t) where TOut : unmanaged, INumber<TOut>
    {
        using var scope = NewDisposeScope();
        var type = typeof(TOut) == typeof(float) ? ScalarType.Float32 : typeof(TOut) == typeof(double) ? ScalarType.Float64
            : typeof(TOut) == typeof(int) ? ScalarType.Int32 : ScalarType.Int64;
        return t.detach().cpu().to(type).contiguous().data<TOut>().ToArray();
    }

    private static T[,] Rows<T>(T[]?[] rows, string parameter)
    {
        var columns = rows.Length == 0 ? 0 : rows[0]?.Length ?? 0;
        var matrix = new T[rows.Length, columns];
        for (var r = 0; r < rows.Length; r++)
        {
            var row = rows[r] ?? throw new ArgumentException($"{parameter}[{r}] is null.", parameter);
            if (row.Length != columns)
                throw new ArgumentException($"{parameter}[{r}] has {row.Length} values but {parameter}[0] has {columns}; rows must have the same length.", parameter);
            for (var c = 0; c < columns; c++) matrix[r, c] = row[c];
        }
        return matrix;
    }

    private static long[] JaggedShape<T>(T[] rows, Func<T, int?> length) => [rows.Length, rows.Length == 0 ? 0 : length(rows[0]) ?? 0];

    private static string TypeName(Type type) => type.IsArray
        ? TypeName(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]"
        : type == typeof(float) ? "float" : type == typeof(double) ? "double" : type == typeof(int) ? "int" : type == typeof(long) ? "long" : type.Name;
}
