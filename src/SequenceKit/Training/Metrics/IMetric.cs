using SequenceKit.Monitoring;
using TorchSharp;

namespace SequenceKit.Training.Metrics;

/// <summary>
/// A metric accumulated over the batches of an epoch: <see cref="Reset"/>, then <see cref="Update"/> per batch, then
/// <see cref="Result"/>. Implement it for a custom metric; keep only CPU scalars between batches.
/// </summary>
public interface IMetric
{
    /// <summary>The name in the history and logs, e.g. "accuracy" (validation values get the prefix "val_").</summary>
    string Name { get; }

    /// <summary>Whether higher or lower is better; monitors (early stopping, LR reduction, checkpoints) use it.</summary>
    MetricMode Mode { get; }

    /// <summary>Starts a new accumulation.</summary>
    /// <param name="setup">How to read the model's output.</param>
    void Reset(MetricSetup setup);

    /// <summary>Adds one batch (called under no-grad).</summary>
    /// <param name="output">The model's output for the batch.</param>
    /// <param name="target">The batch's targets.</param>
    /// <param name="mask">For sequence outputs of a padded batch, (batch, time) true at real steps; null otherwise.</param>
    void Update(torch.Tensor output, torch.Tensor target, torch.Tensor? mask);

    /// <summary>The value over everything since <see cref="Reset"/> (NaN when nothing was added).</summary>
    /// <returns>The metric value.</returns>
    double Result();
}
