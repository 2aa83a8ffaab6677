using BenchmarkDotNet.Attributes;
using SequenceKit.Backends;
using SequenceKit.Layers;
using SequenceKit.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Benchmarks;

/// <summary>
/// SequenceKit's Lstm inside a SequenceModel against the raw TorchSharp nn.LSTM doing the same work (baseline),
/// forward only under no_grad, so the ratio shows the wrapper's overhead (validation, scope, dispatch).
/// </summary>
[MemoryDiagnoser]
public class LstmLayerBenchmarks
{
    private SequenceModel model = null!;
    private TorchSharp.Modules.LSTM raw = null!;
    private Tensor input = null!;

    /// <summary>Sequence length.</summary>
    [Params(25, 100)]
    public int Steps { get; set; }

    /// <summary>Whether SequenceKit checks inputs (rank, features, finiteness) before running.</summary>
    [Params(true, false)]
    public bool ValidateInputs { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        model = new SequenceModel(new SequenceModelOptions { Device = ComputeDevice.Cpu, Seed = 1, ValidateInputs = ValidateInputs },
            Input.Sequence(32), new Lstm(128));
        model.eval();
        manual_seed(1);
        raw = nn.LSTM(32, 128, batchFirst: true);
        raw.eval();
        input = randn(64, Steps, 32);
    }

    [Benchmark(Baseline = true)]
    public float RawTorchSharpLstm()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (output, h, c) = raw.call(input);
        return h[-1].sum().item<float>();
    }

    [Benchmark]
    public float SequenceKitLstm()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return model.forward(input).sum().item<float>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        model.Dispose();
        raw.Dispose();
        input.Dispose();
    }
}
