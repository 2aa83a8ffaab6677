using SequenceKit.Monitoring;

namespace SequenceKit.Training.Callbacks;

/// <summary>
/// Options of <see cref="EarlyStopping"/> (Keras' defaults): what to watch comes from <see cref="MonitorOptions"/>
/// ("val_loss", patience 10, MinDelta 0); restoring the best weights is its own.
/// </summary>
public sealed record EarlyStoppingOptions : MonitorOptions
{
    /// <summary>When training ends (stopped or not), put back the weights of the best epoch. Default false.</summary>
    public bool RestoreBestWeights { get; init; }
}

/// <summary>Stops training when the monitored metric has not improved for Patience epochs, using the shared <see cref="PlateauDetector"/>.</summary>
/// <param name="options">Monitor, patience, min delta and weight restoring; null for the defaults.</param>
/// <exception cref="ArgumentOutOfRangeException">Patience is below 1, or MinDelta is negative or not finite (checked when the callback is created).</exception>
public sealed class EarlyStopping(EarlyStoppingOptions? options = null) : Callback
{
    private PlateauDetector? detector;
    private WeightSnapshot? best;
    private int bestEpoch = -1;

    /// <summary>The callback's options, checked when the callback is created.</summary>
    public EarlyStoppingOptions Options { get; } = Checked(options ?? new EarlyStoppingOptions());

    /// <summary>The epoch whose value was best so far (−1 before any).</summary>
    public int BestEpoch => bestEpoch;

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context)
    {
        context.RequireMetric(Options.Monitor, nameof(EarlyStopping));
        detector = new PlateauDetector(Options.ToPlateau(Options.Mode ?? context.ModeOf(Options.Monitor)), Options.Monitor);
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

    private static EarlyStoppingOptions Checked(EarlyStoppingOptions options)
    {
        options.Validate(nameof(options));
        return options;
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
