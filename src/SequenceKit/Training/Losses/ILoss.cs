using TorchSharp;

namespace SequenceKit.Training.Losses;

/// <summary>
/// A training loss. <see cref="Check"/> runs once at the start of <c>Fit</c> and throws when the loss, the model's
/// output layer and the targets do not fit together; <see cref="Compute"/> runs on every batch.
/// </summary>
public interface ILoss
{
    /// <summary>The loss's name, e.g. "cross_entropy".</summary>
    string Name { get; }

    /// <summary>Throws a <see cref="SequenceKitException"/> naming what does not fit and how to fix it.</summary>
    /// <param name="setup">The model output and targets.</param>
    void Check(LossSetup setup);

    /// <summary>The mean loss of a batch (a scalar tensor that carries the graph).</summary>
    /// <param name="output">The model's output for the batch.</param>
    /// <param name="target">The batch's targets.</param>
    /// <param name="setup">The setup <see cref="Check"/> accepted.</param>
    /// <param name="mask">For sequence outputs of a padded batch, (batch, time) true at real steps; null otherwise.</param>
    /// <returns>A scalar tensor.</returns>
    torch.Tensor Compute(torch.Tensor output, torch.Tensor target, LossSetup setup, torch.Tensor? mask);
}
