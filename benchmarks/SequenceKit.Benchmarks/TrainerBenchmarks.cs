using BenchmarkDotNet.Attributes;
using SequenceKit.Backends;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Losses;
using TorchSharp;
using TorchSharp.Modules;
using CrossEntropyLoss = SequenceKit.Training.Losses.CrossEntropyLoss;
using static TorchSharp.torch;

namespace SequenceKit.Benchmarks;

/// <summary>
/// One epoch (1,024 sequences of 50 steps × 32 features, batch 64, LSTM(64) → Dense(10), Adam, cross-entropy) with
/// <see cref="Trainer.Fit"/> against a hand-written TorchSharp loop doing the same work (baseline): same data order,
/// one dispose scope per step, loss copied out per step.
/// </summary>
[MemoryDiagnoser]
public class TrainerEpochBenchmarks
{
    private const int Samples = 1024, Steps = 50, Features = 32, Classes = 10, Batch = 64;
    private Tensor inputs = null!, labels = null!;
    private SequenceDataset dataset = null!;
    private SequenceModel checkedModel = null!, uncheckedModel = null!;
    private LSTM lstm = null!;
    private Linear head = null!;
    private OptimizerHelper optimizer = null!;

    [GlobalSetup]
    public void Setup()
    {
        manual_seed(1);
        inputs = randn(Samples, Steps, Features);
        labels = randint(0, Classes, [Samples], dtype: ScalarType.Int64);
        dataset = new SequenceDataset(inputs, labels);
        checkedModel = Build(validate: true);
        uncheckedModel = Build(validate: false);
        lstm = nn.LSTM(Features, 64, batchFirst: true);
        head = nn.Linear(64, Classes);
        optimizer = optim.Adam(lstm.parameters().Concat(head.parameters()), 1e-3);
    }

    private static SequenceModel Build(bool validate) =>
        new(new SequenceModelOptions { Device = ComputeDevice.Cpu, Seed = 1, ValidateInputs = validate }, Input.Sequence(Features), new Lstm(64), new Dense(Classes));

    private TrainerOptions Options => new() { Loss = new CrossEntropyLoss(), Epochs = 1, BatchSize = Batch, Seed = 3 };

    [Benchmark(Baseline = true)]
    public double HandWrittenLoop()
    {
        double total = 0;
        foreach (var rows in dataset.BatchOrder(new BatchOptions { BatchSize = Batch, Seed = 3 }))
        {
            using var scope = NewDisposeScope();
            var index = tensor(rows);
            var x = inputs.index_select(0, index);
            var y = labels.index_select(0, index);
            optimizer.zero_grad();
            var (output, h, _) = lstm.call(x);
            var loss = nn.functional.cross_entropy(head.call(h[-1]), y);
            loss.backward();
            optimizer.step();
            total += loss.item<float>();
        }
        return total;
    }

    [Benchmark]
    public double TrainerFit() => Trainer.Fit(checkedModel, dataset, null, Options)["loss"][0];

    [Benchmark]
    public double TrainerFitWithoutInputChecks() => Trainer.Fit(uncheckedModel, dataset, null, Options)["loss"][0];

    [Benchmark]
    public double TrainerFitWithoutMemoryTrim() => Trainer.Fit(checkedModel, dataset, null, Options with { MemoryTrim = null })["loss"][0];
}
