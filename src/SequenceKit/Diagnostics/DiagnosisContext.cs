using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Losses;
using SequenceKit.Training.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Diagnostics;

/// <summary>What the checks look at, computed once and shared: samples of the data, predictions, the loss setup.</summary>
internal sealed class DiagnosisContext : IDisposable
{
    private readonly List<IDisposable> owned = [];
    private (long[] Predicted, long[] Actual)? classes;

    public DiagnosisContext(SequenceModel model, SequenceDataset train, SequenceDataset? validation, History history, TrainerOptions training, DoctorOptions options)
    {
        (Model, Train, Validation, History, Training, Options) = (model, train, validation, history, training, options);
        Setup = Trainer.CreateLossSetup(model, train, training);
        if (Setup.ClassWeights is { } weights) owned.Add(weights);
    }

    public SequenceModel Model { get; }
    public SequenceDataset Train { get; }
    public SequenceDataset? Validation { get; }
    public History History { get; }
    public TrainerOptions Training { get; }
    public DoctorOptions Options { get; }
    public LossSetup Setup { get; }

    /// <summary>The set accuracy is judged on: validation when there is one.</summary>
    public SequenceDataset Evaluated => Validation ?? Train;

    public string EvaluatedName => Validation is null ? "training" : "validation";

    public bool IsClassification => Setup.TargetsAreIndices || Setup.TargetsAreDistributions;

    public long ClassCount => Math.Max(2, Setup.OutputUnits);

    public Activation OutputActivation => Setup.OutputActivation;

    /// <summary>How metrics (and the class-based checks) read the model's output.</summary>
    public MetricSetup MetricSetup => new(Setup.OutputActivation, Setup.OutputUnits);

    /// <summary>Predicted and actual classes over (up to 4·SampleSize rows of) the evaluated set.</summary>
    public (long[] Predicted, long[] Actual) Classes => classes ??= ComputeClasses();

    /// <summary>The first <paramref name="rows"/> rows of a dataset as a batch on the model's device.</summary>
    public DataBatch Sample(SequenceDataset data, int rows)
    {
        var batch = data.GetBatch(Enumerable.Range(0, (int)Math.Min(rows, data.Count)).Select(i => (long)i).ToArray(), Model.Device);
        owned.Add(batch);
        return batch;
    }

    /// <summary>A batch as the model's first layer takes it (tokens as they are, features as float32), for probes that run layer by layer.</summary>
    public static SequenceBatch LayerInput(SequenceModel model, DataBatch batch) =>
        new(model.InputShape.Kind == ShapeKind.Tokens ? batch.Inputs : batch.Inputs.to(ScalarType.Float32), batch.Lengths);

    /// <summary>A copy of the model (or a freshly initialized one of the same architecture) for probes; disposed with the context.</summary>
    public SequenceModel CopyModel(bool fresh = false)
    {
        var copy = fresh ? Model.Copy(copyWeights: false, seed: 12345) : Model.Copy();
        owned.Add(copy);
        return copy;
    }

    /// <summary>The mean loss of a model on a batch (a scalar tensor with its graph).</summary>
    public Tensor Loss(SequenceModel model, DataBatch batch) =>
        Training.Loss.Compute(model.Forward(batch.Inputs, batch.Lengths), batch.Targets, Setup, null);

    /// <summary>The loss values of every completed epoch ("loss", or "val_loss").</summary>
    public double[] Series(string name) => History.Epochs.Where(e => e.Metrics.ContainsKey(name)).Select(e => e.Metrics[name]).ToArray();

    public void Dispose()
    {
        foreach (var item in owned) item.Dispose();
        owned.Clear();
    }

    private (long[], long[]) ComputeClasses()
    {
        var rows = (int)Math.Min(4L * Options.SampleSize, Evaluated.Count);
        var batch = Evaluated.GetBatch(Enumerable.Range(0, rows).Select(i => (long)i).ToArray());
        using (batch)
        {
            using var output = Trainer.Predict(Model, batch.Inputs, batch.Lengths);
            using var scope = NewDisposeScope();
            var (predicted, actual) = ClassPredictions.Of(output, batch.Targets, MetricSetup, null);
            return (predicted.data<long>().ToArray(), actual.data<long>().ToArray());
        }
    }
}
