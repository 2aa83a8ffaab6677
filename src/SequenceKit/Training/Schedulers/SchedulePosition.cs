namespace SequenceKit.Training.Schedulers;

/// <summary>Where training is: schedules are pure functions of it, so resuming from a checkpoint needs no scheduler state.</summary>
/// <param name="Epoch">The epoch, from 0.</param>
/// <param name="Batch">The batch within the epoch, from 0.</param>
/// <param name="BatchesPerEpoch">Batches (optimizer steps) per epoch.</param>
/// <param name="TotalEpochs">Epochs in the run.</param>
public readonly record struct SchedulePosition(int Epoch, int Batch, int BatchesPerEpoch, int TotalEpochs)
{
    /// <summary>The global step: Epoch · BatchesPerEpoch + Batch.</summary>
    public long Step => (long)Epoch * BatchesPerEpoch + Batch;

    /// <summary>Steps in the whole run.</summary>
    public long TotalSteps => (long)TotalEpochs * BatchesPerEpoch;

    /// <summary>The epoch with its fraction done: Epoch + Batch / BatchesPerEpoch.</summary>
    public double FractionalEpoch => Epoch + (double)Batch / Math.Max(1, BatchesPerEpoch);
}
