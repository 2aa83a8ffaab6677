using SequenceKit.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Training.Losses;

/// <summary>
/// Binary cross-entropy for yes/no targets (one unit) or independent multi-label targets (k units). The model may
/// output logits (no activation) or probabilities (<see cref="Activation.Sigmoid"/>). In training and evaluation the
/// loss is always computed from the last Dense's logits in the numerically stable "with logits" form
/// (<see cref="ComputeFromLogits"/>, PyTorch's <c>binary_cross_entropy_with_logits</c>), so it is never capped: a logit of
/// −70 for target 1 costs 70. Only <see cref="Compute"/> called directly with probabilities clamps them to
/// [1e-7, 1 − 1e-7] (at most 16.12 per element). Targets are floats in [0, 1] shaped like the output, or int64 0/1 labels for a
/// single unit. Class weights (two entries: for 0 and for 1) weight each element by its target.
/// </summary>
public sealed class BinaryCrossEntropyLoss : ILoss
{
    /// <inheritdoc />
    public string Name => "binary_cross_entropy";

    /// <inheritdoc />
    public void Check(LossSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        if (setup.OutputActivation is not (Activation.None or Activation.Sigmoid))
            throw new SequenceKitException(
                $"BinaryCrossEntropyLoss needs logits (a last Dense without activation) or probabilities (Activation.Sigmoid); the model ends in {LossMath.Describe(setup.OutputActivation)}." +
                (setup.OutputActivation == Activation.Softmax ? " For a softmax over classes use CrossEntropyLoss." : ""));
        if (setup.TargetsAreIndices)
        {
            if (setup.TargetMax > 1 || setup.TargetMin < 0)
                throw new SequenceKitException(
                    $"A sigmoid output with more than two classes: label {(setup.TargetMin < 0 ? setup.TargetMin : setup.TargetMax)} found, but BinaryCrossEntropyLoss takes 0/1 labels. " +
                    "For k classes use Dense(k, Activation.Softmax) (or no activation) with CrossEntropyLoss.");
            if (setup.OutputUnits != 1 || setup.TargetShape.Length != (setup.OutputShape.Kind == ShapeKind.Sequence ? 1 : 0))
                throw new SequenceKitException(
                    $"BinaryCrossEntropyLoss with 0/1 class labels needs one output unit; the model outputs {setup.OutputText} for target shape {setup.TargetText}.");
            return;
        }
        LossMath.CheckSameShape("BinaryCrossEntropyLoss", setup);
        if (setup.TargetMin < 0 || setup.TargetMax > 1)
            throw new SequenceKitException($"BinaryCrossEntropyLoss needs targets in [0, 1]; they range from {setup.TargetMin:G4} to {setup.TargetMax:G4}.");
    }

    /// <inheritdoc />
    public Tensor Compute(Tensor output, Tensor target, LossSetup setup, Tensor? mask)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(setup);
        return Core(output, target, setup, mask, fromLogits: setup.OutputActivation != Activation.Sigmoid);
    }

    /// <inheritdoc />
    public Tensor ComputeFromLogits(Tensor logits, Tensor output, Tensor target, LossSetup setup, Tensor? mask)
    {
        ArgumentNullException.ThrowIfNull(logits);
        return Core(logits, target, setup, mask, fromLogits: true);
    }

    private static Tensor Core(Tensor values, Tensor target, LossSetup setup, Tensor? mask, bool fromLogits)
    {
        var y = target.to(values.dtype);
        if (is_integral(target.dtype)) y = y.unsqueeze(-1);                                            // (B, [T,] 1)
        var perItem = fromLogits
            ? nn.functional.binary_cross_entropy_with_logits(values, y, reduction: nn.Reduction.None)
            : nn.functional.binary_cross_entropy(values.clamp(1e-7, 1 - 1e-7), y, reduction: nn.Reduction.None);
        var weights = setup.ClassWeights is { } w ? w[1] * y + w[0] * (1 - y) : null;
        return LossMath.WeightedMean(perItem, weights, mask?.unsqueeze(-1).expand_as(perItem));
    }
}
