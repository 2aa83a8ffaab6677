using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Diagnostics;

/// <summary>
/// SK018: training and validation inputs distributed differently, the mark of a validation set preprocessed another
/// way (a scaler fitted on each set, a division applied to one set twice, units changed in one file). Per feature, on a
/// sample of each set's real steps: the shift of the validation mean in training standard deviations, and the ratio
/// of the standard deviations. A feature counts when the shift is at least <see cref="MinShift"/> or the ratio lies
/// outside [1/<see cref="MaxRatio"/>, <see cref="MaxRatio"/>]: a drifting series split by time (CO₂ over decades)
/// shifts by about 2.5, a second preprocessing by far more. The experiment needs no training: the validation sample is
/// mapped onto the training statistics (per feature, x' = (x − mean_v) / std_v × std_t + mean_t) and the model as trained
/// is scored on both versions. When that repair closes at least <see cref="MinClosed"/> of the gap to a perfect score
/// the finding is decisive and confirmed; otherwise (a model that learned too little for the repair to show) the
/// shift itself stands as a measured fallback when the run is not healthy, its confidence growing with how far beyond
/// the thresholds it lies.
/// </summary>
internal static class DistributionShiftCheck
{
    /// <summary>A validation mean this many training standard deviations away counts.</summary>
    public const double MinShift = 4;

    /// <summary>A standard deviation this many times larger or smaller than the training one counts.</summary>
    public const double MaxRatio = 5;

    /// <summary>The share of the gap to a perfect score the repair must close.</summary>
    public const double MinClosed = 0.3;

    public static IEnumerable<Checks.Result> Run(DiagnosisContext c)
    {
        if (c.Validation is not { } validation) throw new NotCheckableException("SK018 compares the training and validation sets; there is no validation set");
        if (c.Model.InputShape.Kind == ShapeKind.Tokens) throw new NotCheckableException("SK018 applies to float inputs; the model takes tokens");
        var (meanT, stdT, _) = c.InputStatistics;
        var (meanV, stdV, _) = Checks.FeatureStatistics(c, validation, 32);
        var features = meanT.Length;
        double Floor(int f) => Math.Max(stdT[f], 1e-6 * Math.Max(1, Math.Abs(meanT[f])));
        var shift = Enumerable.Range(0, features).Select(f => Math.Abs(meanV[f] - meanT[f]) / Floor(f)).ToArray();
        var ratio = Enumerable.Range(0, features).Select(f => stdV[f] / Floor(f)).ToArray();
        var flagged = Enumerable.Range(0, features).Where(f => stdT[f] > 0 && (shift[f] >= MinShift || ratio[f] >= MaxRatio || ratio[f] <= 1 / MaxRatio)).ToList();
        if (flagged.Count == 0) return [];
        var worst = flagged.MaxBy(f => Math.Max(shift[f], Math.Abs(Math.Log(Math.Max(ratio[f], 1e-12)))));
        var (given, mapped, what) = Repair(c, validation, meanT, stdT, meanV, stdV);
        var closed = c.IsClassification
            ? (mapped - given) / Math.Max(1 - given, 1e-9)                                      // balanced accuracy
            : (given - mapped) / Math.Max(given, 1e-12);                                         // loss
        var evidence = Checks.E(("features shifted", flagged.Count), ("features", features),
            ($"feature {worst} training mean", meanT[worst]), ($"feature {worst} training std", stdT[worst]),
            ($"feature {worst} validation mean", meanV[worst]), ($"feature {worst} validation std", stdV[worst]),
            ("validation score as given", given), ("validation score mapped onto the training statistics", mapped));
        var repaired = closed >= MinClosed;
        // How far beyond the thresholds the worst feature lies (1 = at a threshold): a shift of many deviations is a
        // fact about the pipeline even when the model as trained learned too little for the repair to show.
        var extremity = Math.Max(shift[worst] / MinShift, Math.Max(ratio[worst] / MaxRatio, 1 / Math.Max(ratio[worst] * MaxRatio, 1e-12)));
        var experiment = Checks.F($"Mapped onto the training statistics, the validation rows score {what} {mapped:F3} with the model as trained, against {given:F3} as given (closing {Math.Clamp(closed, 0, 1):P0} of the gap to a perfect score).");
        var finding = new Finding("SK018", Catalog.Title("SK018"), Severity.Warning,
            repaired ? Math.Min(0.9, 0.4 + 0.5 * Math.Clamp(closed, 0, 1)) : Math.Min(0.6, 0.35 + 0.1 * Math.Log10(Math.Max(1, extremity))),
            Checks.F($"{flagged.Count} of {features} input feature(s) are distributed differently in the two sets; feature {worst} has mean {meanT[worst]:G4} and standard deviation {stdT[worst]:G4} in the training set but {meanV[worst]:G4} and {stdV[worst]:G4} in the validation set ({shift[worst]:F1} training deviations apart). ") + experiment,
            evidence, Catalog.Fix("SK018"))
        { Experiment = experiment, ConfirmedByExperiment = repaired };
        // Repaired: decisive. Not repaired: a measured fact that stands when the run is not healthy.
        return [new Checks.Result(finding, Decisive: repaired, Fallback: !repaired)];
    }

    /// <summary>The model's score on a validation sample as given and mapped onto the training statistics: balanced accuracy for classes, else the loss.</summary>
    private static (double Given, double Mapped, string What) Repair(DiagnosisContext c, SequenceDataset validation, double[] meanT, double[] stdT, double[] meanV, double[] stdV)
    {
        using var copy = c.Model.Copy();
        copy.eval();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var rows = DiagnosisContext.RandomRows(validation, Math.Min(512, c.Options.SampleSize), 36).Select(r => (long)r).ToArray();
        using var batch = validation.GetBatch(rows, copy.Device);
        var device = batch.Inputs.device;
        var scale = tensor(stdT.Zip(stdV, (t, v) => (float)(v > 0 ? t / v : 1)).ToArray()).to(device);      // (F)
        var fromV = tensor(meanV.Select(m => (float)m).ToArray()).to(device);
        var toT = tensor(meanT.Select(m => (float)m).ToArray()).to(device);
        var inputs = batch.Inputs.to(ScalarType.Float32);
        var mapped = new DataBatch((inputs - fromV) * scale + toT, batch.Targets, batch.Lengths, batch.Indices);
        double Score(DataBatch b)
        {
            var (output, loss, mask) = TrainingStep.BatchLoss(copy, b, c.Training.Loss, c.Setup);
            if (!c.IsClassification) return loss.to(ScalarType.Float64).item<double>();
            var (predicted, actual) = ClassPredictions.Of(output, b.Targets, c.MetricSetup, mask);
            return Evaluation.BalancedAccuracyOf(predicted.data<long>().ToArray(), actual.data<long>().ToArray());
        }
        return (Score(new DataBatch(inputs, batch.Targets, batch.Lengths, batch.Indices)), Score(mapped), c.IsClassification ? "balanced accuracy" : c.LossName);
    }
}
