using SequenceKit.Layers;
using SequenceKit.Preprocessing;
using TorchSharp;
using static SequenceKit.Diagnostics.Checks;
using static TorchSharp.torch;

namespace SequenceKit.Diagnostics;

/// <summary>SK017: inputs that carry nothing, and float padding without lengths.</summary>
internal static class ConstantInputsCheck
{
    // SK017: inputs that carry nothing: every feature constant (all zeros), or trailing all-zero steps without lengths.
    public static IEnumerable<Result> Run(DiagnosisContext c)
    {
        if (c.Model.InputShape.Kind == ShapeKind.Tokens) throw new NotCheckableException("SK017 applies to float inputs; the model takes tokens");
        var (mean, std, peak) = c.InputStatistics;
        var constant = Enumerable.Range(0, mean.Length).Where(f => !(std[f] > 1e-7 * Math.Max(1, Math.Abs(mean[f])))).ToList();
        var results = new List<Result>();
        if (constant.Count == mean.Length)
            results.Add(new Result(new Finding("SK017", "Inputs carry no information", Severity.Critical, 0.99,
                F($"Every one of the {mean.Length} input features is constant over the training sample{(peak.All(p => p == 0) ? " (all zeros)" : "")}: the inputs were lost in the pipeline, so nothing can be learned from them."),
                E(("constant features", constant.Count), ("features", mean.Length)),
                "Check the data pipeline where the inputs are built (a column read as empty, a mask or scaling that zeroes everything, the wrong array passed to SequenceDataset.FromArrays)."), true));
        else if (constant.Count > 0)
            results.Add(new Result(new Finding("SK017", "Constant input features", Severity.Info, 0.2,
                F($"{constant.Count} of {mean.Length} input feature(s) are constant ({string.Join(", ", constant.Take(8))}): they carry no information."),
                E(("constant features", constant.Count), ("features", mean.Length)), "Drop constant features, or check where they are computed."), false));
        if (!c.Train.HasLengths)
        {
            using var scope = NewDisposeScope();
            var rows = DiagnosisContext.RandomRows(c.Train, 4 * c.Options.SampleSize, 33).Select(r => (long)r).ToArray();
            using var batch = c.Train.GetBatch(rows);
            var zeroStep = batch.Inputs.to(ScalarType.Float64).abs().amax([2]).eq(0);            // (N, T)
            var trailing = zeroStep.flip(1).to(ScalarType.Int64).cumprod(1).sum([1]);           // zero steps at the end of each row
            var padded = trailing.gt(0).to(ScalarType.Float64).mean().item<double>();
            var steps = batch.Inputs.shape[1];
            var meanTrailing = trailing.to(ScalarType.Float64).mean().item<double>();
            if (padded > 0.3 && meanTrailing < steps && meanTrailing >= 1)
                results.Add(new Result(new Finding("SK017", "Padding without lengths", Severity.Warning, 0.4,
                    F($"{padded:P0} of the training sequences end in all-zero steps ({meanTrailing:F1} of {steps} on average), and the dataset has no lengths: the recurrent layers run over the padding, and the last step they report is padding."),
                    E(("share of padded rows", padded), ("mean trailing zero steps", meanTrailing)),
                    "Pass the sequence lengths (PadSequences returns them: SequenceDataset.FromArrays(values, labels, lengths)), so padding is masked."), false));
        }
        return results;
    }
}
