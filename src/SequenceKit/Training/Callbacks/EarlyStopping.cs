using SequenceKit.Monitoring;

namespace SequenceKit.Training.Callbacks;

/// <summary>Options of <see cref="EarlyStopping"/>. Each default is written here once.</summary>
public sealed record EarlyStoppingOptions
{
    /// <summary>The metric to watch. Default "val_loss".</summary>
    public string Monitor { get; init; } = "val_loss";

    /// <summary>The direction; null (the default) takes it from the metric.</summary>
    public MetricMode? Mode { get; init; }

    /// <summary>Stop when the epochs without improvement reach Patience (Keras' rule). Default 10.</summary>
    public int Patience { get; init; } = 10;

    /// <summary>The smallest change that counts as an improvement. Default 0 (Keras').</summary>
    public double MinDelta { get; init; }

    /// <summary>Whether MinDelta is absolute or relative. Default absolute.</summary>
    public MinDeltaMode MinDeltaMode { get; init; } = MinDeltaMode.Absolute;

    /// <summary>When training ends (stopped or not), put back the weights of the best epoch. Default false.</summary>
    public bool RestoreBestWeights { get; init; }
}

/// <summary>Stops training when the monitored metric has not improved for Patience epochs, using the shared <see cref="PlateauDetector"/>.</summary>
/// <param name="options">Monitor, patience, min delta and weight restoring; null for the defaults.</param>
public sealed class EarlyStopping(EarlyStoppingOptions? options = null) : Callback
{
    private PlateauDetector? detector;
    private WeightSnapshot? best;
    private int bestEpoch = -1;

    /// <summary>The callback's options.</summary>
    public EarlyStoppingOptions Options { get; } = options ?? new EarlyStoppingOptions();

    /// <summary>The epoch whose value was best so far (−1 before any).</summary>
    public int BestEpoch => bestEpoch;

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context)
    {
        context.RequireMetric(Options.Monitor, nameof(EarlyStopping));
        detector = new PlateauDetector(new PlateauOptions
        {
            Mode = Options.Mode ?? context.ModeOf(Options.Monitor),
            MinDelta = Options.MinDelta,
            MinDeltaMode = Options.MinDeltaMode,
            Patience = Options.Patience,
        }, Options.Monitor);
        bestEpoch = -1;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context)
    {
        var decision = detector!.Update(context.EpochMetrics[Options.Monitor]);
        if (decision.Improved)
        {
            bestEpoch = context.Epoch;
            if (Options.RestoreBestWeights)
            {
                best?.Dispose();
                best = new WeightSnapshot(context.Model);
            }
        }
        if (decision.Plateaued)
            context.RequestStop(StopReason.EarlyStopping, $"Early stopping at epoch {context.Epoch + 1}: {decision.Reason}; best epoch {bestEpoch + 1}.");
    }

    /// <inheritdoc />
    public override void OnTrainEnd(TrainingContext context)
    {
        if (best is null) return;
        best.Restore();
        best.Dispose();
        best = null;
    }
}
