using SequenceKit.Layers;
using TorchSharp;
using static SequenceKit.Diagnostics.Checks;
using static TorchSharp.torch;

namespace SequenceKit.Diagnostics;

/// <summary>SK009: dead ReLU units or saturated recurrent units in the model as trained.</summary>
internal static class UnitActivationCheck
{
    /// <summary>More than this share of ReLU units never active on a training sample is decisive (docs/diagnostics.md, SK009).</summary>
    public const double DeadShare = 0.5;

    /// <summary>A tanh output beyond ±this counts as saturated (its gradient is below 0.06 of the slope at 0).</summary>
    public const double SaturatedValue = 0.97;

    /// <summary>More than this share of saturated outputs is reported (Info).</summary>
    public const double SaturatedShare = 0.5;

    // SK009: activations of the model as trained (a fact about these weights, on a training sample).
    public static IEnumerable<Result> Run(DiagnosisContext c)
    {
        using var copy = c.Model.Copy();
        copy.eval();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        using var batch = c.Train.GetBatch(DiagnosisContext.RandomRows(c.Train, c.Options.SampleSize, 61).Select(r => (long)r).ToArray(), copy.Device);
        var flow = DiagnosisContext.LayerInput(copy, batch);
        for (var i = 0; i < copy.Layers.Count - 1; i++)                                        // the output layer's range is the loss's business
        {
            var layer = copy.Layers[i];
            flow = layer.Forward(flow);
            var output = flow.Values.reshape(-1, flow.Values.shape[^1]);                          // (items, units)
            if (layer is SimpleRnn { Options.Activation: SimpleRnnActivation.Relu } or Dense { Activation: Activation.Relu })
            {
                var dead = output.amax([0]).le(0).to(ScalarType.Float64).mean().item<double>();
                if (dead > DeadShare)
                    return [new Result(new Finding("SK009", "Dead units", Severity.Critical, Math.Min(0.95, 0.9 * dead),
                        F($"{dead:P0} of the units of layer {i} ({layer.TypeName}, ReLU) never activate on {output.shape[0]} training items: they pass no gradient and will not recover."),
                        E(("dead share", dead), ("layer", i)),
                        "Re-initialize and lower the learning rate, scale the inputs, or use tanh (SimpleRnnOptions.Activation = Tanh) / an Lstm or Gru."), true)];
            }
            else if (layer is RecurrentLayer recurrent)
            {
                var saturated = output.abs().gt(SaturatedValue).to(ScalarType.Float64).mean().item<double>();
                if (saturated > SaturatedShare)
                    return [new Result(new Finding("SK009", "Saturated recurrent units", Severity.Info, 0.2,
                        F($"{saturated:P0} of the {recurrent.TypeName} (layer {i}) outputs are within 3% of ±1: saturated units pass almost no gradient."),
                        E(("saturated share", saturated), ("layer", i)),
                        "Scale the inputs (StandardScaler), lower the learning rate, or use Lstm/Gru in place of SimpleRnn."), false)];
            }
        }
        return None;
    }
}
