using SequenceKit.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Training.Losses;

/// <summary>Shared pieces of the built-in losses: weighted, masked means and shape checks.</summary>
internal static class LossMath
{
    /// <summary>Σ w·l / Σ w over the real elements (mask) with optional per-element weights.</summary>
    public static Tensor WeightedMean(Tensor perElement, Tensor? weights, Tensor? mask)
    {
        if (weights is null && mask is null) return perElement.mean();                      // the common case: one op
        var w = weights ?? ones_like(perElement);
        if (mask is not null) w = w * mask.to(w.dtype);
        return (perElement * w).sum() / w.sum().clamp_min(1e-12);
    }

    public static string Describe(Activation activation) => activation == Activation.None ? "no activation (logits)" : activation.ToString();

    /// <summary>Regression losses need float targets shaped like one sample's output.</summary>
    public static void CheckRegression(string loss, LossSetup setup)
    {
        if (setup.TargetsAreIndices)
            throw new SequenceKitException(
                $"{loss} is a regression loss, but the targets are class indices ({setup.TargetType}). For classification use " +
                "CrossEntropyLoss (or BinaryCrossEntropyLoss for one sigmoid unit); for regression give float targets.");
        CheckSameShape(loss, setup);
        if (setup.OutputActivation == Activation.Softmax)
            throw new SequenceKitException($"{loss} on a Softmax output compares probabilities with float targets; use CrossEntropyLoss for classes, or remove the Softmax for regression.");
    }

    public static void CheckSameShape(string loss, LossSetup setup)
    {
        var expected = setup.OutputSampleShape;
        var actual = setup.TargetShape;
        var fits = actual.Length == expected.Length && actual.Zip(expected).All(p => p.Second == -1 || p.First == p.Second);
        if (!fits)
            throw new SequenceKitException(
                $"{loss} needs one target per output: target shape per sample {setup.TargetText}, model output per sample {setup.OutputText}. " +
                "Make the last Dense's units match the target width (or reshape the targets).");
    }
}
