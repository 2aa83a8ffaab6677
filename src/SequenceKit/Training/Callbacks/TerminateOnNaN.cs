namespace SequenceKit.Training.Callbacks;

/// <summary>
/// Stops training as soon as a batch's loss is NaN or infinite, and puts back the weights from the start of that
/// epoch (the last weights known to give finite losses).
/// </summary>
public sealed class TerminateOnNaN : Callback
{
    private WeightSnapshot? lastGood;

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
        context.RequestStop(StopReason.NonFiniteLoss,
            $"The loss became {context.BatchLoss} at epoch {context.Epoch + 1}, batch {context.Batch + 1}; weights restored to the start of epoch {context.Epoch + 1}. " +
            "Lower the learning rate, clip gradients (TrainerOptions.ClipGradientNorm) or check the inputs for extreme values.");
    }

    /// <inheritdoc />
    public override void OnTrainEnd(TrainingContext context)
    {
        lastGood?.Dispose();
        lastGood = null;
    }
}
