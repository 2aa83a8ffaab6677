using BenchmarkDotNet.Attributes;
using SequenceKit.Backends;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Benchmarks;

/// <summary>
/// <see cref="Trainer.Predict"/> throughput against a raw TorchSharp forward under no_grad (baseline), for 1,024
/// sequences (50 steps × 32 features, LSTM(64) → Dense(10)) in batches of 1 and 256. Sequences per second = 1,024 / Mean.
/// </summary>
[MemoryDiagnoser]
public class InferenceBenchmarks
{
    private const int Samples = 1024;
    private SequenceModel model = null!;
    private TorchSharp.Modules.LSTM lstm = null!;
    private TorchSharp.Modules.Linear head = null!;
    private Tensor inputs = null!;

    /// <summary>Sequences per forward pass.</summary>
    [Params(1, 256)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Threads.Apply();
        model = new SequenceModel(new SequenceModelOptions { Device = ComputeDevice.Cpu, Seed = 1 }, Input.Sequence(32), new Lstm(64), new Dense(10));
        lstm = nn.LSTM(32, 64, batchFirst: true);
        head = nn.Linear(64, 10);
        lstm.eval();
        head.eval();
        inputs = randn(Samples, 50, 32);
    }

    [Benchmark(Baseline = true)]
    public long RawNoGradForward()
    {
        using var _ = no_grad();
        long rows = 0;
        for (long start = 0; start < Samples; start += BatchSize)
        {
            using var scope = NewDisposeScope();
            var output = head.call(lstm.call(inputs.narrow(0, start, BatchSize)).Item2[-1]).cpu();
            rows += output.shape[0];
        }
        return rows;
    }

    [Benchmark]
    public long SequenceKitPredict()
    {
        using var output = Trainer.Predict(model, inputs, batchSize: BatchSize);
        return output.shape[0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        model.Dispose();
        lstm.Dispose();
        head.Dispose();
        inputs.Dispose();
    }
}
