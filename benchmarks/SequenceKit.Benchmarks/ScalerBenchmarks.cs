using BenchmarkDotNet.Attributes;
using SequenceKit.Preprocessing;

namespace SequenceKit.Benchmarks;

/// <summary>
/// Transform of 10^7 floats (10^6 rows × 10 features), all into a preallocated destination: a plain memory copy
/// of the same bytes (baseline: the physical bound of a memory-bound transform), a plain C# loop doing the same
/// arithmetic, and SequenceKit's span and array APIs.
/// </summary>
[MemoryDiagnoser]
public class ScalerTransformBenchmarks
{
    private const int Rows = 1_000_000, Features = 10;
    private float[,] data = null!;
    private float[] source = null!, destination = null!;
    private double[] center = null!, scale = null!;
    private StandardScaler scaler = null!;

    [GlobalSetup]
    public void Setup()
    {
        data = ScalerData.Create(Rows, Features);
        source = data.Cast<float>().ToArray();
        destination = new float[source.Length];
        scaler = new StandardScaler();
        scaler.Fit(data);
        center = scaler.Mean.ToArray();
        scale = scaler.Scale.ToArray();
    }

    [Benchmark(Baseline = true)]
    public void MemoryCopy() => source.AsSpan().CopyTo(destination);

    [Benchmark]
    public void PlainLoop()
    {
        for (var i = 0; i < source.Length; i++)
        {
            var f = i % Features;
            destination[i] = (float)((source[i] - center[f]) / scale[f]);
        }
    }

    [Benchmark]
    public void SequenceKitSpan() => scaler.Transform(source, destination);

    [Benchmark]
    public float[,] SequenceKitArray() => scaler.Transform(data);
}

/// <summary>Fit on 10^7 floats: a plain one-pass loop (per-feature sum, sum of squares, min, max) against SequenceKit's fits.</summary>
[MemoryDiagnoser]
public class ScalerFitBenchmarks
{
    private const int Rows = 1_000_000, Features = 10;
    private float[,] data = null!;

    [GlobalSetup]
    public void Setup() => data = ScalerData.Create(Rows, Features);

    [Benchmark(Baseline = true)]
    public double PlainLoop()
    {
        var sum = new double[Features];
        var squares = new double[Features];
        var min = new double[Features];
        var max = new double[Features];
        Array.Fill(min, double.PositiveInfinity);
        Array.Fill(max, double.NegativeInfinity);
        for (var r = 0; r < Rows; r++)
            for (var f = 0; f < Features; f++)
            {
                double x = data[r, f];
                sum[f] += x;
                squares[f] += x * x;
                if (x < min[f]) min[f] = x;
                if (x > max[f]) max[f] = x;
            }
        return sum[0] + squares[0] + min[0] + max[0];
    }

    [Benchmark]
    public IScaler StandardScalerFit()
    {
        var scaler = new StandardScaler();
        scaler.Fit(data);
        return scaler;
    }

    [Benchmark]
    public IScaler MinMaxScalerFit()
    {
        var scaler = new MinMaxScaler();
        scaler.Fit(data);
        return scaler;
    }
}

internal static class ScalerData
{
    public static float[,] Create(int rows, int features)
    {
        var random = new Random(1);
        var data = new float[rows, features];
        for (var r = 0; r < rows; r++)
            for (var f = 0; f < features; f++)
                data[r, f] = (float)(random.NextDouble() * 100 * (f + 1) - 50);
        return data;
    }
}
