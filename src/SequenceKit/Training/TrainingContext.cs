using SequenceKit.Models;
using SequenceKit.Monitoring;
using SequenceKit.Preprocessing;
using TorchSharp.Modules;

namespace SequenceKit.Training;

/// <summary>What callbacks see of a running training, and how they can stop it or save it.</summary>
public sealed class TrainingContext
{
    private readonly Action<string> saveCheckpoint;

    internal TrainingContext(SequenceModel model, OptimizerHelper optimizer, History history, int totalEpochs,
        IReadOnlyList<string> availableMetrics, Action<string> saveCheckpoint)
    {
        (Model, Optimizer, History, TotalEpochs, AvailableMetrics, this.saveCheckpoint) =
            (model, optimizer, history, totalEpochs, availableMetrics, saveCheckpoint);
    }

    /// <summary>The training data.</summary>
    public SequenceDataset Train { get; internal init; } = null!;

    /// <summary>The validation data, or null.</summary>
    public SequenceDataset? Validation { get; internal init; }

    /// <summary>The run's options (loss, optimizer, metrics, …).</summary>
    public TrainerOptions Options { get; internal init; } = null!;

    /// <summary>The model being trained.</summary>
    public SequenceModel Model { get; }

    /// <summary>The optimizer.</summary>
    public OptimizerHelper Optimizer { get; }

    /// <summary>The history so far.</summary>
    public History History { get; }

    /// <summary>Epochs in the run.</summary>
    public int TotalEpochs { get; }

    /// <summary>The current epoch, from 0.</summary>
    public int Epoch { get; internal set; }

    /// <summary>The current batch within the epoch, from 0.</summary>
    public int Batch { get; internal set; }

    /// <summary>Batches per epoch.</summary>
    public int BatchesPerEpoch { get; internal set; }

    /// <summary>The last batch's loss (set before <see cref="Callbacks.Callback.OnBatchEnd"/>).</summary>
    public double BatchLoss { get; internal set; } = double.NaN;

    /// <summary>The epoch's metrics (set before <see cref="Callbacks.Callback.OnEpochEnd"/>).</summary>
    public IReadOnlyDictionary<string, double> EpochMetrics { get; internal set; } = new Dictionary<string, double>();

    /// <summary>The learning rate of the last batch.</summary>
    public double LearningRate { get; internal set; }

    /// <summary>The names a monitor may use: "loss", the metrics, their "val_" forms (with validation) and "lr".</summary>
    public IReadOnlyList<string> AvailableMetrics { get; }

    /// <summary>The direction of each available metric.</summary>
    internal IReadOnlyDictionary<string, MetricMode> Modes { get; init; } = new Dictionary<string, MetricMode>();

    /// <summary>The token <c>Trainer.Fit</c> was given; long-running callbacks (the training doctor) stop their work when it fires.</summary>
    public CancellationToken CancellationToken { get; internal init; }

    /// <summary>Whether a stop was requested.</summary>
    public bool StopRequested { get; private set; }

    /// <summary>Asks the trainer to stop after the current batch (or epoch end), recording why.</summary>
    /// <param name="reason">The kind of stop.</param>
    /// <param name="message">A sentence for <see cref="History.StopMessage"/>.</param>
    public void RequestStop(StopReason reason, string message)
    {
        if (StopRequested) return;
        StopRequested = true;
        History.StopReason = reason;
        History.StopMessage = message;
    }

    /// <summary>The run's base learning rate, cut only through it.</summary>
    internal LearningRateState Rates { get; init; } = null!;

    /// <summary>The direction of a monitored name in this run (losses minimize; each metric says its own), resolved once for every consumer.</summary>
    /// <param name="monitor">A name from <see cref="AvailableMetrics"/>.</param>
    /// <returns>Whether smaller or larger is better.</returns>
    public MetricMode ModeOf(string monitor) => Modes.TryGetValue(monitor, out var mode) ? mode : MetricMode.Minimize;

    /// <summary>
    /// Multiplies the base learning rate by <paramref name="factor"/> from the next batch on (schedules scale from it),
    /// and records it in <see cref="History.Events"/>.
    /// </summary>
    /// <param name="factor">In (0, 1].</param>
    /// <param name="reason">Why, for the history.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is outside (0, 1].</exception>
    public void ReduceLearningRate(double factor, string reason)
    {
        if (!(factor > 0 && factor <= 1)) throw new ArgumentOutOfRangeException(nameof(factor), factor, $"factor must be in (0, 1]; got {factor}.");
        Rates.Scale(Epoch, factor, reason);
    }

    /// <summary>Writes a full training checkpoint (weights, optimizer, scheduler state, history, epoch) atomically.</summary>
    /// <param name="path">The file to write.</param>
    public void SaveCheckpoint(string path) => saveCheckpoint(path);

    /// <summary>Throws when <paramref name="monitor"/> is not a metric this run produces, listing those it does.</summary>
    /// <param name="monitor">The monitored name.</param>
    /// <param name="owner">Who monitors it, for the message.</param>
    /// <exception cref="SequenceKitException">The metric does not exist.</exception>
    public void RequireMetric(string monitor, string owner) => RequireMetric(AvailableMetrics, monitor, owner);

    /// <summary>The one "metric not produced" error: throws when <paramref name="monitor"/> is not among <paramref name="available"/>, listing them.</summary>
    internal static void RequireMetric(IEnumerable<string> available, string monitor, string owner)
    {
        var names = available.ToList();
        if (names.Contains(monitor)) return;
        throw new SequenceKitException(
            $"{owner} monitors '{monitor}', which this training run does not produce. Available: {string.Join(", ", names)}." +
            (monitor.StartsWith("val_", StringComparison.Ordinal) && !names.Any(m => m.StartsWith("val_", StringComparison.Ordinal))
                ? " Pass a validation set to Fit to get val_ metrics." : ""));
    }
}
