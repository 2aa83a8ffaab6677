using SequenceKit.Layers;
using static SequenceKit.Diagnostics.Checks;
using static TorchSharp.torch;

namespace SequenceKit.Diagnostics;

/// <summary>SK003: inputs far above or below unit scale.</summary>
internal static class InputScaleCheck
{
    // SK003: too large or too small
    public static IEnumerable<Result> Run(DiagnosisContext c)
    {
        if (c.Model.InputShape.Kind == ShapeKind.Tokens) throw new NotCheckableException("SK003 applies to float inputs; the model takes tokens");
        using var scope = NewDisposeScope();
        var (mean, std, peak) = c.InputStatistics;
        var scale = Enumerable.Range(0, mean.Length).Select(f => Math.Max(Math.Abs(mean[f]), std[f])).ToArray();
        var large = Enumerable.Range(0, mean.Length).Where(f => peak[f] > 20 || std[f] > 10 || (Math.Abs(mean[f]) > 5 && Math.Abs(mean[f]) > 3 * std[f])).ToList();
        var small = Enumerable.Range(0, mean.Length).Where(f => peak[f] > 0 && scale[f] < 0.02).ToList();
        if (2 * small.Count < mean.Length) small.Clear();                  // one near-empty column is not "scaled twice"
        if (large.Count == 0 && small.Count == 0) return None;
        var tooLarge = large.Count > 0;
        var worst = tooLarge ? large.MaxBy(f => scale[f]) : small.MinBy(f => scale[f]);
        var evidence = new Dictionary<string, double>();
        foreach (var f in (tooLarge ? large : small).Take(6))
        {
            evidence[$"feature {f} mean"] = mean[f];
            evidence[$"feature {f} std"] = std[f];
            evidence[$"feature {f} max |x|"] = peak[f];
        }
        var message = tooLarge
            ? F($"{large.Count} of {mean.Length} input feature(s) are far above unit scale; feature {worst} has mean {mean[worst]:G4}, standard deviation {std[worst]:G4} and values up to {peak[worst]:G4}. Recurrent units saturate on such inputs and gradients vanish.")
            : F($"{small.Count} of {mean.Length} input feature(s) are far below unit scale; feature {worst} has mean {mean[worst]:G4}, standard deviation {std[worst]:G4} and values only up to {peak[worst]:G4} (scaled twice?). The inputs barely move the units, so the model sees almost nothing.");
        const string fix = "Fit a StandardScaler on the training inputs only and transform every set with it (scale once: data already in [0, 1] needs no second division): var scaler = new StandardScaler(); var trainX = scaler.FitTransform(trainInputs); var validX = scaler.Transform(validInputs); keep it with the model (model.Scalers[\"inputs\"] = scaler).";
        var finding = new Finding("SK003", tooLarge ? "Inputs are not scaled" : "Inputs are scaled far below unit scale", Severity.Warning,
            Math.Min(0.7, 0.15 * Math.Abs(Math.Log10(Math.Max(scale[worst], 1e-300)))), message, evidence, fix);
        // Far above unit scale, or 100× and more below it (scaled twice): a measured fact that stands as a fallback.
        return [new Result(finding, false, new Treatment("SK003", "the inputs standardized", fix) { StandardizeInputs = true }, Fallback: tooLarge || scale[worst] < FarBelowUnitScale)];
    }
}
