using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using SequenceKit.Backends;
using SequenceKit.Layers;
using SequenceKit.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Benchmarks;

/// <summary>The cell types SequenceKit offers.</summary>
public enum CellType
{
    /// <summary><see cref="Layers.SimpleRnn"/> (tanh).</summary>
    SimpleRnn,

    /// <summary><see cref="Layers.Lstm"/>.</summary>
    Lstm,

    /// <summary><see cref="Layers.Gru"/>.</summary>
    Gru,
}

/// <summary>
/// Each cell type in a <see cref="SequenceModel"/> (input checks off: this measures the layer) against the raw TorchSharp
/// module doing the same work, forward under no_grad and forward+backward, over sequence length, hidden size and batch
/// size. Each category has its raw baseline, so the Ratio column is SequenceKit's overhead.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class RecurrentCellBenchmarks
{
    private const int Features = 32;
    private SequenceModel model = null!;
    private nn.Module raw = null!;
    private Tensor input = null!;

    /// <summary>The cell type.</summary>
    [Params(CellType.SimpleRnn, CellType.Lstm, CellType.Gru)]
    public CellType Cell { get; set; }

    /// <summary>Sequence length.</summary>
    [Params(25, 100, 400)]
    public int Steps { get; set; }

    /// <summary>Hidden units.</summary>
    [Params(64, 256)]
    public int Hidden { get; set; }

    /// <summary>Sequences per batch.</summary>
    [Params(1, 64)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Threads.Apply();
        ISequenceLayer layer = Cell switch
        {
            CellType.SimpleRnn => new SimpleRnn(Hidden),
            CellType.Lstm => new Lstm(Hidden),
            _ => new Gru(Hidden),
        };
        model = new SequenceModel(new SequenceModelOptions { Device = ComputeDevice.Cpu, Seed = 1, ValidateInputs = false }, Input.Sequence(Features), layer);
        raw = Cell switch
        {
            CellType.SimpleRnn => nn.RNN(Features, Hidden, batchFirst: true),
            CellType.Lstm => nn.LSTM(Features, Hidden, batchFirst: true),
            _ => nn.GRU(Features, Hidden, batchFirst: true),
        };
        input = randn(Batch, Steps, Features);
    }

    private Tensor RawLast(Tensor x) => raw switch
    {
        TorchSharp.Modules.LSTM lstm => lstm.call(x).Item2[-1],
        TorchSharp.Modules.GRU gru => gru.call(x).Item2[-1],
        TorchSharp.Modules.RNN rnn => rnn.call(x).Item2[-1],
        _ => throw new InvalidOperationException(),
    };

    [BenchmarkCategory("Forward"), Benchmark(Baseline = true)]
    public float RawForward()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return RawLast(input).sum().item<float>();
    }

    [BenchmarkCategory("Forward"), Benchmark]
    public float SequenceKitForward()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return model.forward(input).sum().item<float>();
    }

    [BenchmarkCategory("ForwardBackward"), Benchmark(Baseline = true)]
    public float RawForwardBackward()
    {
        using var scope = NewDisposeScope();
        raw.zero_grad();
        var loss = RawLast(input).sum();
        loss.backward();
        return loss.item<float>();
    }

    [BenchmarkCategory("ForwardBackward"), Benchmark]
    public float SequenceKitForwardBackward()
    {
        using var scope = NewDisposeScope();
        model.zero_grad();
        var loss = model.forward(input).sum();
        loss.backward();
        return loss.item<float>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        model.Dispose();
        raw.Dispose();
        input.Dispose();
    }
}
