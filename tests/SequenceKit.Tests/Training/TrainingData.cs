using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Losses;
using SequenceKit.Training.Metrics;

namespace SequenceKit.Tests.Training;

/// <summary>A small learnable task: is the sum of feature 0 over time positive? Plus a matching model and options.</summary>
internal static class TrainingData
{
    public static (float[,,] Inputs, long[] Labels) SignTask(int samples, int seed, int steps = 6)
    {
        var random = new Random(seed);
        var inputs = new float[samples, steps, 2];
        var labels = new long[samples];
        for (var i = 0; i < samples; i++)
        {
            double sum = 0;
            for (var t = 0; t < steps; t++)
            {
                inputs[i, t, 0] = (float)(random.NextDouble() * 2 - 1);
                inputs[i, t, 1] = (float)(random.NextDouble() * 2 - 1);
                sum += inputs[i, t, 0];
            }
            labels[i] = sum > 0 ? 1 : 0;
        }
        return (inputs, labels);
    }

    public static SequenceDataset Dataset(int samples, int seed)
    {
        var (inputs, labels) = SignTask(samples, seed);
        return SequenceDataset.FromArrays(inputs, labels);
    }

    public static SequenceModel Model(long seed = 1, bool dropout = false) => dropout
        ? new SequenceModel(new SequenceModelOptions { Seed = seed }, Input.Sequence(2), new Gru(8), new Dropout(0.3), new Dense(2))
        : new SequenceModel(new SequenceModelOptions { Seed = seed }, Input.Sequence(2), new Gru(8), new Dense(2));

    public static TrainerOptions Options(int epochs = 4) => new()
    {
        Loss = new CrossEntropyLoss(),
        Optimizer = new SequenceKit.Training.Optimizers.Adam { LearningRate = 0.02 },
        Epochs = epochs,
        BatchSize = 16,
        Seed = 7,
        Metrics = [new Accuracy()],
    };

    public static float[] Weights(SequenceModel model)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();            // the detached CPU copies are freed here
        return model.parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray()).ToArray();
    }
}
