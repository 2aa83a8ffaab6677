using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Callbacks;
using SequenceKit.Training.Losses;

namespace SequenceKit.TestHost;

/// <summary>A training run that checkpoints every epoch to a folder; the "train-until-killed" mode runs it for a long time.</summary>
public static class ResumeRun
{
    /// <summary>The checkpoint file in a folder.</summary>
    public static string Checkpoint(string folder) => Path.Combine(folder, "last.ckpt");

    /// <summary>The model (same architecture in every process).</summary>
    public static SequenceModel Model() => new(new SequenceModelOptions { Seed = 3, Device = Backends.ComputeDevice.Cpu }, Input.Sequence(2), new Gru(6), new Dense(2));

    /// <summary>The data (same in every process).</summary>
    public static SequenceDataset Data()
    {
        var random = new Random(8);
        var x = new float[64, 5, 2];
        var y = new long[64];
        for (var i = 0; i < 64; i++)
        {
            for (var t = 0; t < 5; t++) (x[i, t, 0], x[i, t, 1]) = ((float)random.NextDouble() - 0.5f, (float)random.NextDouble() - 0.5f);
            y[i] = x[i, 0, 0] > 0 ? 1 : 0;
        }
        return SequenceDataset.FromArrays(x, y);
    }

    /// <summary>The options: checkpoint every epoch to the folder.</summary>
    public static TrainerOptions Options(string folder, int epochs, params Callback[] more) => new()
    {
        Loss = new CrossEntropyLoss(), Epochs = epochs, BatchSize = 8, Seed = 5,
        Callbacks = [new ModelCheckpoint(new ModelCheckpointOptions(Checkpoint(folder)) { SaveBestOnly = false }), .. more],
    };

    /// <summary>Trains "forever", printing each finished epoch, until the process is killed.</summary>
    public static void UntilKilled(string folder)
    {
        using var model = Model();
        using var data = Data();
        Trainer.Fit(model, data, null, Options(folder, 100_000, new Announce()));
    }

    private sealed class Announce : Callback
    {
        public override void OnEpochEnd(TrainingContext context)
        {
            Console.WriteLine($"epoch {context.Epoch + 1}");
            Console.Out.Flush();
        }
    }
}
