using SequenceKit.Layers;
using SequenceKit.Training.Losses;
using static SequenceKit.Diagnostics.Checks;

namespace SequenceKit.Diagnostics;

/// <summary>SK007: an output range that cannot reach the targets, or a custom loss on probabilities.</summary>
internal static class LossOutputMismatchCheck
{
    // SK007
    public static IEnumerable<Result> Run(DiagnosisContext c)
    {
        var s = c.Setup;
        var (low, high) = s.OutputActivation switch
        {
            Activation.Sigmoid or Activation.Softmax => (0.0, 1.0),
            Activation.Tanh => (-1.0, 1.0),
            Activation.Relu => (0.0, double.PositiveInfinity),
            _ => (double.NegativeInfinity, double.PositiveInfinity),
        };
        if (!s.TargetsAreIndices && !s.TargetsAreDistributions && (s.TargetMin < low - 1e-6 || s.TargetMax > high + 1e-6))
            return [new Result(new Finding("SK007", "Output range cannot reach the targets", Severity.Critical, 0.99,
                F($"The last Dense uses {s.OutputActivation}, whose outputs lie in [{low}, {high}], but the targets range from {s.TargetMin:G4} to {s.TargetMax:G4}."),
                E(("target min", s.TargetMin), ("target max", s.TargetMax), ("output min", low), ("output max", high)),
                "Remove the output activation for regression (Dense(units) without activation), or scale the targets into the output's range (MinMaxScaler) and invert predictions."), true)];
        var builtIn = c.Training.Loss is CrossEntropyLoss or BinaryCrossEntropyLoss or MeanSquaredErrorLoss or MeanAbsoluteErrorLoss or HuberLoss;
        var losses = c.Series("loss");
        if (!builtIn && s.OutputActivation is Activation.Softmax or Activation.Sigmoid && losses.Length >= 3 && losses[^1] > losses[0] * 0.97)
            return [new Result(new Finding("SK007", "Custom loss on probabilities", Severity.Warning, 0.6,
                F($"The custom loss {c.Training.Loss.GetType().Name} runs on {s.OutputActivation} probabilities and barely moved ({losses[0]:G4} → {losses[^1]:G4}); a loss that expects logits would apply a second softmax/sigmoid and flatten the gradients."),
                E(("first loss", losses[0]), ("last loss", losses[^1])),
                "Give the loss what it expects: remove the output activation and use logits, or use CrossEntropyLoss / BinaryCrossEntropyLoss, which read both correctly."), true)];
        return None;
    }
}
