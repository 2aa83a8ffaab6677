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

    /// <summary>
    /// The mean loss of a batch given, besides the output, the last <see cref="Layers.Dense"/>'s pre-activation: what
    /// the trainer calls. Losses that are exact only from logits override it (cross-entropy on a softmax output and
    /// binary cross-entropy on a sigmoid output compute log-softmax / log-sigmoid of the logits, as PyTorch does, so
    /// the loss is never capped and a confidently wrong model still gets a gradient). The default ignores the logits
    /// and calls <see cref="Compute"/>.
    /// </summary>
    /// <param name="logits">The last Dense's output before its activation (the output itself when the model does not end in a Dense).</param>
    /// <param name="output">The model's output (after the activation), as <see cref="Compute"/> receives it.</param>
    /// <param name="target">The batch's targets.</param>
    /// <param name="setup">The setup <see cref="Check"/> accepted.</param>
    /// <param name="mask">For sequence outputs of a padded batch, (batch, time) true at real steps; null otherwise.</param>
    /// <returns>A scalar tensor.</returns>
    torch.Tensor ComputeFromLogits(torch.Tensor logits, torch.Tensor output, torch.Tensor target, LossSetup setup, torch.Tensor? mask) =>
        Compute(output, target, setup, mask);
}
