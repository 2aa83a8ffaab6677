// SeedExample: the Keras model SequenceKit was born from, written with SequenceKit.
//   Embedding(1000) → LSTM(128) → Dense(10, softmax); Adam(1e-3); ReduceLROnPlateau(val_loss, factor 0.2,
//   patience 5, min_lr 1e-5); categorical cross-entropy on one-hot labels; batch 32; 30 epochs.
// Run: dotnet run -c Release --project src/Samples/SeedExample [-- --epochs N]
using Microsoft.Extensions.Logging;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Losses;
using SequenceKit.Training.Metrics;
using SequenceKit.Training.Optimizers;
using SequenceKit.Training.Schedulers;

var epochs = args.Length == 2 && args[0] == "--epochs" ? int.Parse(args[1]) : 30;
using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));

// Synthetic text: 10 classes, vocabulary 1000; each class has 15 signature tokens and every sequence (12–40 tokens)
// holds a few of its class's among random ones. Class 3 is 21.55% of the data, the others share the rest.
const int vocabulary = 1000, classes = 10;
var random = new Random(2155);
(List<long[]> Sequences, long[] Labels) MakeCorpus(int count)
{
    var sequences = new List<long[]>();
    var labels = new long[count];
    for (var i = 0; i < count; i++)
    {
        var label = random.NextDouble() < 0.2155 ? 3 : new[] { 0, 1, 2, 4, 5, 6, 7, 8, 9 }[random.Next(9)];
        var tokens = Enumerable.Range(0, random.Next(12, 41)).Select(_ => (long)random.Next(160, vocabulary)).ToArray();
        for (var k = 0; k < 3; k++) tokens[random.Next(tokens.Length)] = 10 + label * 15 + random.Next(15);
        sequences.Add(tokens);
        labels[i] = label;
    }
    return (sequences, labels);
}
var (trainTexts, trainLabels) = MakeCorpus(1600);
var (validTexts, validLabels) = MakeCorpus(400);
Console.WriteLine(ClassDistribution.Of(trainLabels, classes));

// Post-padded token batches (0 = padding, masked by the Embedding) and one-hot labels, as in the Keras original.
var trainBatch = PadSequences.Tokens(trainTexts, new PaddingOptions { MaxLength = 40 });
var validBatch = PadSequences.Tokens(validTexts, new PaddingOptions { MaxLength = 40 });
using var train = new SequenceDataset(trainBatch.ValuesTensor(), TorchSharp.torch.tensor(Labels.ToCategorical(trainLabels, classes)));
using var validation = new SequenceDataset(validBatch.ValuesTensor(), TorchSharp.torch.tensor(Labels.ToCategorical(validLabels, classes)));

using var model = new SequenceModel(new SequenceModelOptions { Seed = 42, Logger = logging.CreateLogger("SeedExample") },
    new Embedding(vocabulary, 64),
    new Lstm(128),
    new Dense(classes, Activation.Softmax));
Console.WriteLine(model.Summary());

var history = Trainer.Fit(model, train, validation, new TrainerOptions
{
    Loss = new CrossEntropyLoss(),                        // one-hot targets, softmax output: no double softmax
    Optimizer = new Adam { LearningRate = 1e-3 },
    MetricScheduler = new ReduceLrOnPlateau(new ReduceLrOnPlateauOptions
    {
        Monitor = "val_loss", Factor = 0.2, Patience = 5, MinRate = 1e-5,
    }),
    Metrics = [new Accuracy()],
    BatchSize = 32,
    Epochs = epochs,
    Seed = 42,
    Logger = logging.CreateLogger("Trainer"),
    Progress = new ProgressBar(),                          // IProgress<TrainingProgress>: reported after every batch
});

Console.WriteLine();
Console.WriteLine(history);
var majority = ClassDistribution.Of(validLabels, classes).MajorityShare;
Console.WriteLine($"final val_accuracy {history["val_accuracy"][^1]:F4} vs the majority-class share {majority:F4}");

/// <summary>Draws "epoch 3/30 [#########.......] loss 1.2345" on one console line, updated after every batch.</summary>
sealed class ProgressBar : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress p)
    {
        if (Console.IsOutputRedirected) return;
        var done = p.Batch * 20 / p.BatchesPerEpoch;
        Console.Write($"\repoch {p.Epoch}/{p.TotalEpochs} [{new string('#', done)}{new string('.', 20 - done)}] loss {p.RunningLoss:F4}");
        if (p.Batch == p.BatchesPerEpoch) Console.Write("\r" + new string(' ', 60) + "\r");
    }
}
