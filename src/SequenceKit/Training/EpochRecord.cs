namespace SequenceKit.Training;

/// <summary>One completed epoch.</summary>
/// <param name="Epoch">The epoch's index, from 0 (<c>History.Epochs[i].Epoch == i</c> on a fresh run); people read it as <c>Epoch + 1</c>, as the logs print it.</param>
/// <param name="Metrics">"loss" (the mean over the steps applied: a batch with a non-finite loss is skipped and listed in <see cref="History.Events"/>), each metric, and with a validation set "val_loss" and "val_" + each metric.</param>
/// <param name="LearningRate">The learning rate the optimizer used (read from it; the last batch's for per-batch schedules).</param>
/// <param name="Duration">Wall time of the epoch, validation included.</param>
public sealed record EpochRecord(int Epoch, IReadOnlyDictionary<string, double> Metrics, double LearningRate, TimeSpan Duration)
{
    /// <summary>A metric's value this epoch.</summary>
    /// <param name="name">E.g. "loss", "val_accuracy", or "lr" for the learning rate.</param>
    /// <returns>The value.</returns>
    /// <exception cref="KeyNotFoundException">No such metric; the message lists those that exist.</exception>
    public double this[string name] => name == "lr" ? LearningRate
        : Metrics.TryGetValue(name, out var value) ? value
        : throw new KeyNotFoundException($"No metric '{name}' in epoch {Epoch + 1}; available: {string.Join(", ", Metrics.Keys.Append("lr"))}.");
}
