namespace SequenceKit.Training;

/// <summary>Reported after every batch through <see cref="TrainerOptions.Progress"/>, e.g. to draw a progress bar.</summary>
/// <param name="Epoch">The epoch, from 0.</param>
/// <param name="TotalEpochs">Epochs in the run.</param>
/// <param name="Batch">The batch just done, from 0.</param>
/// <param name="BatchesPerEpoch">Batches per epoch.</param>
/// <param name="BatchLoss">This batch's loss.</param>
/// <param name="RunningLoss">The epoch's mean loss so far.</param>
public readonly record struct TrainingProgress(int Epoch, int TotalEpochs, int Batch, int BatchesPerEpoch, double BatchLoss, double RunningLoss);
