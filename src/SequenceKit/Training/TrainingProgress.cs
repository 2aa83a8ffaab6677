namespace SequenceKit.Training;

/// <summary>Reported after every batch through <see cref="TrainerOptions.Progress"/>, e.g. to draw a progress bar.</summary>
/// <param name="Epoch">The epoch, counted from 1 as in the logs, <see cref="History"/>'s table and a checkpoint's "{epoch}".</param>
/// <param name="TotalEpochs">Epochs in the run.</param>
/// <param name="Batch">The batch just done, counted from 1 (it equals <paramref name="BatchesPerEpoch"/> at the epoch's last batch).</param>
/// <param name="BatchesPerEpoch">Batches per epoch.</param>
/// <param name="BatchLoss">This batch's loss.</param>
/// <param name="RunningLoss">The epoch's mean loss so far.</param>
public readonly record struct TrainingProgress(int Epoch, int TotalEpochs, int Batch, int BatchesPerEpoch, double BatchLoss, double RunningLoss);
