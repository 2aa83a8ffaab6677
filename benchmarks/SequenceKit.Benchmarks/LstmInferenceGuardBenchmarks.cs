using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using SequenceKit.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SequenceKit.Benchmarks;

/// <summary>
/// What keeping LSTM inference correct costs: libtorch's oneDNN inference kernel (the baseline; wrong on AVX-512 CPUs
/// for many hidden sizes) against the two correct routes that need no process-wide setting: the packed path
/// <see cref="LstmInferenceGuard"/> takes, and a grad-mode forward whose graph is dropped.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
public class LstmInferenceGuardBenchmarks
{
    private const int Features = 32, Steps = 100;
    private LSTM lstm = null!;
    private Tensor input = null!;

    /// <summary>Hidden units (5, 33 and 100 were wrong on AVX-512; 256 was right).</summary>
    [Params(5, 33, 100, 256)]
    public int Hidden { get; set; }

    /// <summary>Sequences per batch.</summary>
    [Params(64)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Threads.Apply();
        manual_seed(1);
        lstm = nn.LSTM(Features, Hidden, batchFirst: true);
        input = randn(Batch, Steps, Features);
    }

    [Benchmark(Baseline = true)]
    public float OneDnnInferenceKernel()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return lstm.call(input).Item1.sum().item<float>();
    }

    [Benchmark]
    public float PackedRoute()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return LstmInferenceGuard.RunPacked(lstm, input).Output.sum().item<float>();
    }

    [Benchmark]
    public float GradModeForwardDetached()
    {
        using var scope = NewDisposeScope();
        using var _ = enable_grad();
        return lstm.call(input).Item1.detach().sum().item<float>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        lstm.Dispose();
        input.Dispose();
    }
}
