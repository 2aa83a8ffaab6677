using System.Diagnostics;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Losses;
using SequenceKit.Training.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Diagnostics;

/// <summary>
/// What the checks look at, computed once and shared: the evaluated set (whole, or a seeded stratified sample), the
/// model's predictions on it, the loss setup, the time budget and the cancellation token.
/// </summary>
internal sealed class DiagnosisContext : IDisposable
{
    private readonly List<IDisposable> owned = [];
    private Evaluation? evaluation;
    private (double[] Mean, double[] Std, double[] Peak)? inputStatistics;
    private double[]? gradientNorms;
    private (long[]? Labels, bool Read) trainLabels;

    public DiagnosisContext(SequenceModel model, SequenceDataset train, SequenceDataset? validation, History history, TrainerOptions training,
        DoctorOptions options, CancellationToken cancellationToken)
    {
        (Model, Train, Validation, History, Training, Options, CancellationToken) = (model, train, validation, history, training, options, cancellationToken);
        Setup = TrainingPlan.ForEvaluation(model, train, training).Setup;
        if (Setup.ClassWeights is { } weights) owned.Add(weights);
    }

    public SequenceModel Model { get; }
    public SequenceDataset Train { get; }
    public SequenceDataset? Validation { get; }
    public History History { get; }
    public TrainerOptions Training { get; }
    public DoctorOptions Options { get; }
    public LossSetup Setup { get; }
    public CancellationToken CancellationToken { get; }

    /// <summary>
    /// The run's base learning rate: the last cut recorded in the history (a callback, scheduler or roll-back), else the
    /// optimizer's rate. Not the last batch's scheduled rate, which a cosine or one-cycle schedule takes near zero.
    /// </summary>
    public double BaseRate => History.Events.OfType<LearningRateCut>().LastOrDefault()?.NewRate ?? Training.Optimizer.LearningRate;

    /// <summary>
    /// The optimizer family's usual learning rate: 0.05 for <c>Sgd</c> (with momentum, the usual 0.01–0.1), 0.01 for
    /// <c>Adagrad</c> (its default), 1e-3 for Adam, AdamW and RMSprop (their default in PyTorch and Keras); null for a
    /// <c>CustomOptimizer</c> or a user's own factory, whose family is unknown. Each built-in states it (<c>IOptimizerFamily</c>).
    /// </summary>
    public double? UsualRate => (Training.Optimizer as Training.Optimizers.IOptimizerFamily)?.UsualRate;

    /// <summary>Runs while the active part works; only for the report and the hard <see cref="DoctorOptions.TimeLimit"/>, never for a decision.</summary>
    public Stopwatch ActiveClock { get; } = new();

    /// <summary>Sequence steps processed by the experiments so far (each optimizer step counts its batch's rows × time steps).</summary>
    public long Work { get; private set; }

    /// <summary>Whether <paramref name="work"/> more sequence steps fit the work budget.</summary>
    public bool WorkFits(long work) => Work + work <= Options.WorkBudget;

    /// <summary>Counts one optimizer step's work (its rows × time steps).</summary>
    public void AddWork(long work) => Work += work;

    /// <summary>Throws <see cref="TimeLimitReachedException"/> once the active part has run past the hard time limit.</summary>
    public void ThrowIfPastTimeLimit()
    {
        if (ActiveClock.Elapsed > Options.TimeLimit) throw new TimeLimitReachedException();
    }

    /// <summary>The set accuracy is judged on: validation when there is one.</summary>
    public SequenceDataset Evaluated => Validation ?? Train;

    public string EvaluatedName => Validation is null ? "training" : "validation";

    /// <summary>The history's name for a metric of the evaluated set ("val_accuracy", or "accuracy" without validation).</summary>
    public string HistoryName(string metric) => Validation is null ? metric : "val_" + metric;

    public bool IsClassification => Setup.TargetsAreIndices || Setup.TargetsAreDistributions;

    /// <summary>What the experiments' notes call the loss: "cross-entropy" for classes, else "loss".</summary>
    public string LossName => IsClassification ? "cross-entropy" : "loss";

    public long ClassCount => Math.Max(2, Setup.OutputUnits);

    public Activation OutputActivation => Setup.OutputActivation;

    /// <summary>How metrics (and the class-based checks) read the model's output.</summary>
    public MetricSetup MetricSetup => new(Setup.OutputActivation, Setup.OutputUnits);

    /// <summary>The model's numbers on the evaluated set (whole, or a stated sample).</summary>
    public Evaluation Evaluation => evaluation ??= Evaluation.Of(this);

    /// <summary>Per-feature mean, standard deviation and largest magnitude of the training inputs (a sample, real steps only), computed once.</summary>
    public (double[] Mean, double[] Std, double[] Peak) InputStatistics => inputStatistics ??= Checks.FeatureStatistics(this);

    /// <summary>The gradient norm of the model as trained (before any clipping) on 4 shuffled training batches; computed once.</summary>
    /// <remarks>Empty when the model could not run a batch (the checks that read it then find nothing); tried once.</remarks>
    public double[] GradientNorms
    {
        get
        {
            if (gradientNorms is null)
            {
                try { gradientNorms = Checks.GradientNormsOf(this); }
                catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException) { gradientNorms = []; throw; }
            }
            return gradientNorms;
        }
    }

    public void Report(string stage) => Options.Progress?.Report(new DoctorProgress(stage, Math.Min(1, Work / (double)Options.WorkBudget)));

    public void ThrowIfCancelled() => CancellationToken.ThrowIfCancellationRequested();

    /// <summary>Keeps a disposable alive until the diagnosis ends.</summary>
    public T Own<T>(T item) where T : IDisposable
    {
        owned.Add(item);
        return item;
    }

    /// <summary>Seeded random rows of a dataset (all of them, shuffled, when it has fewer).</summary>
    public static int[] RandomRows(SequenceDataset data, int count, int seed)
    {
        var rows = Enumerable.Range(0, (int)data.Count).ToArray();
        new Random(seed).Shuffle(rows);
        return rows.Take(Math.Min(count, rows.Length)).ToArray();
    }

    /// <summary>The training set's class labels (<see cref="Labels"/> of <see cref="Train"/>), read once; null for regression.</summary>
    public long[]? TrainLabels
    {
        get
        {
            if (!trainLabels.Read) trainLabels = (Labels(Train), true);
            return trainLabels.Labels;
        }
    }

    /// <summary>Class labels of every row (argmax of distributions; the first step's label for per-step targets), or null for regression.</summary>
    public long[]? Labels(SequenceDataset data)
    {
        if (!IsClassification) return null;
        using var scope = NewDisposeScope();
        var targets = data.Targets;
        var labels = is_integral(targets.dtype) ? targets : (Setup.OutputUnits == 1 ? targets.gt(0.5) : targets.argmax(-1));
        return labels.reshape(data.Count, -1).select(1, 0).to(ScalarType.Int64).cpu().data<long>().ToArray();
    }

    /// <summary>A batch as the model's first layer takes it (tokens as they are, features as float32), for probes that run layer by layer.</summary>
    public static SequenceBatch LayerInput(SequenceModel model, DataBatch batch) =>
        new(model.InputShape.Kind == ShapeKind.Tokens ? batch.Inputs : batch.Inputs.to(ScalarType.Float32), batch.Lengths);

    /// <summary>The loss values of every completed epoch ("loss", or "val_loss").</summary>
    public double[] Series(string name) => History.Epochs.Where(e => e.Metrics.ContainsKey(name)).Select(e => e.Metrics[name]).ToArray();

    public void Dispose()
    {
        foreach (var item in owned) item.Dispose();
        owned.Clear();
    }
}

/// <summary>The active part ran past <see cref="DoctorOptions.TimeLimit"/>: the experiments are abandoned, undecided.</summary>
internal sealed class TimeLimitReachedException() : Exception("the active part reached DoctorOptions.TimeLimit");
