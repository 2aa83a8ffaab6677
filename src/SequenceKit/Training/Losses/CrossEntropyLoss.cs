using SequenceKit.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Training.Losses;

/// <summary>
/// Categorical cross-entropy for k ≥ 2 classes. Targets are class indices (int64) or one-hot / probability rows
/// (float), both accepted. The model may output logits (last Dense without activation) or probabilities (last Dense
/// with <see cref="Activation.Softmax"/>). In training and evaluation the loss is always computed from the last Dense's
/// logits with log-softmax (<see cref="ComputeFromLogits"/>), as PyTorch's <c>cross_entropy</c>, so it is never capped:
/// logits [-113.5, 37.1, 119.1, -16.6] with label 0 give 232.6. Only <see cref="Compute"/> called directly with
/// probabilities takes their log, clamped at 1e-12 (at most 27.63 per sample). Class weights give the weighted mean Σ wᵢ·lossᵢ / Σ wᵢ, as PyTorch. Sequence outputs
/// (batch, time, k) are scored per step, padded steps excluded.
/// </summary>
public sealed class CrossEntropyLoss : ILoss
{
    /// <inheritdoc />
    public string Name => "cross_entropy";

    /// <inheritdoc />
    public void Check(LossSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        if (setup.OutputActivation is not (Activation.None or Activation.Softmax))
            throw new SequenceKitException(
                $"CrossEntropyLoss needs logits (a last Dense without activation) or probabilities (Activation.Softmax); the model ends in {LossMath.Describe(setup.OutputActivation)}." +
                (setup.OutputActivation == Activation.Sigmoid ? " For two classes with one sigmoid unit use BinaryCrossEntropyLoss." : ""));
        if (setup.OutputShape.Kind == ShapeKind.Tokens || setup.OutputUnits < 2)
            throw new SequenceKitException(
                $"CrossEntropyLoss needs one output unit per class (at least 2); the model outputs {setup.OutputText}. " +
                "For a yes/no target with one unit use BinaryCrossEntropyLoss.");
        var classes = setup.OutputUnits;
        if (setup.TargetsAreIndices)
        {
            var expected = setup.OutputShape.Kind == ShapeKind.Sequence ? 1 : 0;
            if (setup.TargetShape.Length != expected)
                throw new SequenceKitException(
                    $"CrossEntropyLoss with class-index targets needs {(expected == 0 ? "one index per sample" : "one index per time step")}; got target shape per sample {setup.TargetText} for output {setup.OutputText}.");
            if (setup.TargetMin < 0 || setup.TargetMax >= classes)
                throw new SequenceKitException(
                    $"Label {(setup.TargetMin < 0 ? setup.TargetMin : setup.TargetMax)} is outside 0..{classes - 1}: the last Dense has {classes} units, one per class. " +
                    "Give the last Dense as many units as there are classes (LabelEncoder.ClassCount).");
            return;
        }
        if (setup.TargetShape.Length == 0 || setup.TargetShape[^1] != classes)
            throw new SequenceKitException(
                $"CrossEntropyLoss with one-hot targets needs their width to equal the output units: one-hot width {(setup.TargetShape.Length == 0 ? 1 : setup.TargetShape[^1])} ≠ output units {classes}. " +
                "Use Labels.ToCategorical(labels, classCount) with the model's class count.");
        if (!setup.TargetsAreDistributions)
            throw new SequenceKitException(
                $"CrossEntropyLoss got float targets that are not one-hot or probability rows (values from {setup.TargetMin:G4} to {setup.TargetMax:G4}). " +
                "For regression use MeanSquaredErrorLoss; for classes give int64 class indices or Labels.ToCategorical.");
    }

    /// <inheritdoc />
    public Tensor Compute(Tensor output, Tensor target, LossSetup setup, Tensor? mask)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(setup);
        return setup.OutputActivation == Activation.Softmax
            ? FromLogProbabilities(output.clamp_min(1e-12).log(), target, setup, mask)        // probabilities in: log only, no second softmax
            : FromLogits(output, target, setup, mask);
    }

    /// <inheritdoc />
    public Tensor ComputeFromLogits(Tensor logits, Tensor output, Tensor target, LossSetup setup, Tensor? mask)
    {
        ArgumentNullException.ThrowIfNull(logits);
        return FromLogits(logits, target, setup, mask);
    }

    private static Tensor FromLogits(Tensor logits, Tensor target, LossSetup setup, Tensor? mask)
    {
        if (mask is null && is_integral(target.dtype))
        {
            // The fused kernel, the same weighted mean Σ w·l / Σ w.
            var classes = logits.shape[^1];
            return nn.functional.cross_entropy(logits.reshape(-1, classes), target.to(ScalarType.Int64).reshape(-1), setup.ClassWeights);   // (N, k), (N)
        }
        return FromLogProbabilities(logits.log_softmax(-1), target, setup, mask);                // (B, [T,] k)
    }

    private static Tensor FromLogProbabilities(Tensor logProbabilities, Tensor target, LossSetup setup, Tensor? mask)
    {
        if (mask is null && is_integral(target.dtype))
        {
            var classes = logProbabilities.shape[^1];
            return nn.functional.nll_loss(logProbabilities.reshape(-1, classes), target.to(ScalarType.Int64).reshape(-1), setup.ClassWeights);
        }
        Tensor perItem, weights;
        if (is_integral(target.dtype))
        {
            var indices = target.to(ScalarType.Int64).unsqueeze(-1);                                       // (B, [T,] 1)
            perItem = -logProbabilities.gather(-1, indices).squeeze(-1);                                   // (B, [T])
            weights = setup.ClassWeights is { } w ? w[target.to(ScalarType.Int64)] : ones_like(perItem);
        }
        else
        {
            var distribution = target.to(logProbabilities.dtype);
            perItem = -(distribution * logProbabilities).sum(-1);
            weights = setup.ClassWeights is { } w ? (distribution * w).sum(-1) : ones_like(perItem);
        }
        return LossMath.WeightedMean(perItem, weights, mask);
    }
}
