using System.Globalization;
using System.Text;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Losses;
using SequenceKit.Training.Metrics;
using static TorchSharp.torch;

namespace SequenceKit.TestHost;

/// <summary>A small seeded training run whose history and weights are printed exactly (hex of each double/float).</summary>
public static class DeterminismRun
{
    /// <summary>Trains with dropout and shuffling, and returns every history value and weight as exact text.</summary>
    /// <returns>One line per epoch, then a line of weights.</returns>
    public static string Run()
    {
        var random = new Random(3);
        var inputs = new float[40, 5, 2];
        var labels = new long[40];
        for (var i = 0; i < 40; i++)
        {
            for (var t = 0; t < 5; t++) for (var f = 0; f < 2; f++) inputs[i, t, f] = (float)(random.NextDouble() * 2 - 1);
            labels[i] = inputs[i, 0, 0] > 0 ? 1 : 0;
        }
        using var data = SequenceDataset.FromArrays(inputs, labels);
        using var model = new SequenceModel(new SequenceModelOptions { Seed = 11, Device = Backends.ComputeDevice.Cpu },
            Input.Sequence(2), new Lstm(6, new RecurrentOptions { Layers = 2, Dropout = 0.3 }), new Dropout(0.2), new Dense(2));
        var history = Trainer.Fit(model, data, data, new TrainerOptions
        {
            Loss = new CrossEntropyLoss(), Epochs = 3, BatchSize = 8, Seed = 5, Metrics = [new Accuracy()],
        });
        var text = new StringBuilder();
        foreach (var epoch in history.Epochs)
            text.AppendLine(string.Join(" ", epoch.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal)
                .Select(m => $"{m.Key}={BitConverter.DoubleToInt64Bits(m.Value):X16}")));
        text.Append(string.Join(" ", model.parameters().SelectMany(p => p.data<float>().ToArray())
            .Select(v => BitConverter.SingleToInt32Bits(v).ToString("X8", CultureInfo.InvariantCulture))));
        return text.ToString();
    }
}
