using TorchSharp;
using static SequenceKit.Diagnostics.Checks;
using static TorchSharp.torch;

namespace SequenceKit.Diagnostics;

/// <summary>SK012: regression targets far from unit scale.</summary>
internal static class TargetScaleCheck
{
    // SK012: too large or too small
    public static IEnumerable<Result> Run(DiagnosisContext c)
    {
        var s = c.Setup;
        if (s.TargetsAreIndices || s.TargetsAreDistributions) throw new NotCheckableException("SK012 applies to regression targets");
        using var scope = NewDisposeScope();
        var y = c.Train.Targets.to(ScalarType.Float64).reshape(-1, Math.Max(1, s.OutputUnits));
        var mean = y.mean([0]).data<double>().ToArray();
        var std = y.std(0, false).data<double>().ToArray();
        var scale = Enumerable.Range(0, mean.Length).Select(j => Math.Max(Math.Abs(mean[j]), std[j])).ToArray();
        var worst = Enumerable.Range(0, mean.Length).MaxBy(j => Math.Abs(Math.Log10(Math.Max(scale[j], 1e-300))));
        if (scale[worst] is <= 10 and >= 0.01) return None;
        const string fix = "Fit a StandardScaler on the training targets, train on scaled targets, and InverseTransform the predictions; keep it with the model (model.Scalers[\"targets\"] = scaler).";
        var finding = new Finding("SK012", "Regression targets are not scaled", Severity.Warning, Math.Min(0.7, 0.15 * Math.Abs(Math.Log10(Math.Max(scale[worst], 1e-300)))),
            F($"Target column {worst} has mean {mean[worst]:G4} and standard deviation {std[worst]:G4}: losses and gradients are {scale[worst]:G3}× their size at unit scale."),
            E(("target mean", mean[worst]), ("target std", std[worst])), fix);
        return [new Result(finding, false, new Treatment("SK012", "the targets standardized", fix) { StandardizeTargets = true }, Fallback: scale[worst] > 10)];
    }
}
