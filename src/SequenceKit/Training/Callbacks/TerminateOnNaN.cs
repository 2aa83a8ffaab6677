namespace SequenceKit.Training.Callbacks;

/// <summary>What <see cref="TerminateOnNaN"/> does when a batch's loss is NaN or infinite.</summary>
public enum NonFiniteLossAction
{
    /// <summary>Put back the weights from the start of the epoch and stop training.</summary>
    Stop,

    /// <summary>Put back the weights from the start of the epoch, cut the learning rate, and go on (up to MaxRollbacks times, then stop).</summary>
    RollBack,
}

/// <summary>Options of <see cref="TerminateOnNaN"/>. Each default is written here once.</summary>
public sealed record TerminateOnNaNOptions
{
    /// <summary>Stop, or roll back and continue. Default <see cref="NonFiniteLossAction.Stop"/>.</summary>
    public NonFiniteLossAction Action { get; init; } = NonFiniteLossAction.Stop;

    /// <summary>With RollBack: the learning rate is multiplied by this at each roll-back, in (0, 1). Default 0.1.</summary>
    public double RollbackFactor { get; init; } = 0.1;

    /// <summary>With RollBack: roll-backs allowed before stopping; ≥ 1. Default 3.</summary>
    public int MaxRollbacks { get; init; } = 3;
}

/// <summary>
/// Reacts to a batch whose loss is NaN or infinite (the trainer never applies such a step): puts back the weights from
/// the start of that epoch (the last weights known to give finite losses), then stops, or, with
/// <see cref="NonFiniteLossAction.RollBack"/>, cuts the learning rate and goes on. Every roll-back is recorded in
/// <see cref="History.Events"/>.
/// </summary>
/// <param name="options">Stop or roll back; null to stop.</param>
public sealed class TerminateOnNaN(TerminateOnNaNOptions? options = null) : Callback
{
    private WeightSnapshot? lastGood;
    private int rollbacks;

    /// <summary>The callback's options.</summary>
    public TerminateOnNaNOptions Options { get; } = Checked(options ?? new TerminateOnNaNOptions());

    /// <summary>Roll-backs so far in this run.</summary>
    public int Rollbacks => rollbacks;

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context) => rollbacks = 0;

    /// <inheritdoc />
    public override void OnEpochBegin(TrainingContext context)
    {
        lastGood?.Dispose();
        lastGood = new WeightSnapshot(context.Model);
    }

    /// <inheritdoc />
    public override void OnBatchEnd(TrainingContext context)
    {
        if (double.IsFinite(context.BatchLoss)) return;
        lastGood?.Restore();
        if (Options.Action == NonFiniteLossAction.RollBack && rollbacks < Options.MaxRollbacks)
        {
            rollbacks++;
            context.History.AddEvent(new WeightsRolledBack(context.Epoch, context.Batch, context.BatchLoss, rollbacks, Options.MaxRollbacks));
            context.ReduceLearningRate(Options.RollbackFactor,
                $"loss {context.BatchLoss} at batch {context.Batch + 1}; weights rolled back to the start of epoch {context.Epoch + 1} (roll-back {rollbacks} of {Options.MaxRollbacks})");
            return;
        }
        context.RequestStop(StopReason.NonFiniteLoss,
            $"The loss became {context.BatchLoss} at epoch {context.Epoch + 1}, batch {context.Batch + 1}; weights restored to the start of epoch {context.Epoch + 1}" +
            (rollbacks > 0 ? $" after {rollbacks} roll-back(s)" : "") +
            ". Lower the learning rate, clip gradients (TrainerOptions.ClipGradientNorm) or check the inputs for extreme values.");
    }

    /// <inheritdoc />
    public override void OnTrainEnd(TrainingContext context)
    {
        lastGood?.Dispose();
        lastGood = null;
    }

    private static TerminateOnNaNOptions Checked(TerminateOnNaNOptions options)
    {
        if (!(options.RollbackFactor > 0 && options.RollbackFactor < 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.RollbackFactor, $"TerminateOnNaNOptions.RollbackFactor must be in (0, 1); got {options.RollbackFactor}.");
        if (options.MaxRollbacks < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxRollbacks, $"TerminateOnNaNOptions.MaxRollbacks must be at least 1; got {options.MaxRollbacks}.");
        return options;
    }
}
