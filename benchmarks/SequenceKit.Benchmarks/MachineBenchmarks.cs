using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Benchmarks;

/// <summary>
/// The machine's float32 matrix-multiply speed (1024 × 1024 × 1024: 2·1024³ FLOP per call), the yardstick for the
/// fraction of it each recurrent cell achieves, with 1 thread and with all threads.
/// </summary>
public class MatrixMultiplyBenchmarks
{
    private Tensor a = null!, b = null!;

    /// <summary>TorchSharp intra-op threads: 1, or 0 for all (the default).</summary>
    [Params(1, 0)]
    public int ThreadCount { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Threads.Apply(ThreadCount == 0 ? null : ThreadCount);
        a = randn(1024, 1024);
        b = randn(1024, 1024);
    }

    [Benchmark]
    public float Matmul1024()
    {
        using var scope = NewDisposeScope();
        return a.matmul(b)[0, 0].item<float>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        a.Dispose();
        b.Dispose();
        Threads.Apply();
    }
}
