using SequenceKit.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Training.Metrics;

/// <summary>Turns outputs and targets of any supported form into flat predicted and true class indices on the CPU.</summary>
internal static class ClassPredictions
{
    /// <summary>(predicted, actual) as int64 CPU tensors of the real items; single units are thresholded.</summary>
    public static (Tensor Predicted, Tensor Actual) Of(Tensor output, Tensor target, MetricSetup setup, Tensor? mask)
    {
        Tensor predicted, actual;
        if (setup.OutputUnits == 1)
        {
            var threshold = setup.OutputActivation == Activation.Sigmoid ? 0.5 : 0.0;
            predicted = output.squeeze(-1).gt(threshold).to(ScalarType.Int64);
            actual = (is_integral(target.dtype) ? target : target.squeeze(-1).gt(0.5)).to(ScalarType.Int64);
        }
        else
        {
            predicted = output.argmax(-1);                                        // logits and probabilities agree
            actual = is_integral(target.dtype) ? target.to(ScalarType.Int64) : target.argmax(-1);
        }
        if (mask is not null)
        {
            predicted = predicted.masked_select(mask);
            actual = actual.masked_select(mask);
        }
        return (predicted.flatten().cpu(), actual.flatten().cpu());
    }
}
