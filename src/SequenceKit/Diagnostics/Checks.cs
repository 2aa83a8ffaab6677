using System.Globalization;
using SequenceKit.Layers;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Diagnostics;

/// <summary>Thrown by a check that cannot run on this model or data; becomes a note in the report.</summary>
internal sealed class NotCheckableException(string reason) : Exception(reason);

/// <summary>
/// The plain checks: facts about the data, the setup and the history that need no experiment. Some are decisive on
/// their own (a non-finite loss, an output range that cannot reach the targets, inputs that are all constant); the
/// rest are candidates, which the controlled experiments in <see cref="TrainingDoctor"/> confirm or demote.
/// </summary>
internal static class Checks
{
    /// <summary>A check's result: a finding, whether it stands on its own, and the experiment that would test it.</summary>
    /// <param name="Finding">What the check found.</param>
    /// <param name="Decisive">It stands on its own (a fact that needs no experiment).</param>
    /// <param name="Treatment">The experiment that would confirm it, or null.</param>
    /// <param name="Fallback">Measured on the user's own model or history: it stands when the run is not healthy and no experiment confirmed a cause.</param>
    /// <param name="BesideConfirmed">A fallback that also stands beside a confirmed cause: it measures something the
    /// experiments' losses do not (which classes the model misses), or explains why a confirmed change works.</param>
    /// <param name="MeasuredGradients">The finding rests on gradient norms measured on the model as trained, which
    /// unscaled inputs or targets explain (the ranking reads this, not the evidence's wording).</param>
    public sealed record Result(Finding Finding, bool Decisive, Treatment? Treatment = null, bool Fallback = false, bool BesideConfirmed = false, bool MeasuredGradients = false);

    public sealed record Check(string Code, Func<DiagnosisContext, IEnumerable<Result>> Run);

    public static IReadOnlyList<Check> All { get; } =
    [
        new("SK002", ClassImbalanceCheck.Run),
        new("SK003", InputScaleCheck.Run),
        new("SK004", VanishingGradientsCheck.Run),
        new("SK005", NonFiniteLossCheck.Run),
        new("SK006", LearningRateCheck.Run),
        new("SK007", LossOutputMismatchCheck.Run),
        new("SK008", OverfittingCheck.Run),
        new("SK009", UnitActivationCheck.Run),
        new("SK010", VocabularyCheck.Run),
        new("SK012", TargetScaleCheck.Run),
        new("SK014", OrderedBatchesCheck.Run),
        new("SK016", ConstraintsCheck.Run),
        new("SK017", ConstantInputsCheck.Run),
        new("SK018", DistributionShiftCheck.Run),
        new("SK019", TooFewUpdatesCheck.Run),
        new("SK020", TokenPaddingCheck.Run),
        new("SK022", StillImprovingCheck.Run),
    ];

    /// <summary>The evidence name of the model's median gradient norm (SK005, SK016).</summary>
    public const string MedianGradientNorm = "median gradient norm";

    public static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    public static Dictionary<string, double> E(params (string Name, double Value)[] values) => values.ToDictionary(v => v.Name, v => v.Value);

    internal static IEnumerable<Result> None => [];

    /// <summary>Inputs whose largest feature scale is below this (100× under unit scale) are strong evidence on their own.</summary>
    public const double FarBelowUnitScale = 0.01;

    /// <summary>A rate this many times above or below its optimizer family's usual one is strong evidence on its own.</summary>
    public const double FarFromUsualRate = 30;

    /// <summary>Clipping that leaves at most this share of an SGD step is strong evidence on its own.</summary>
    public const double MaxShrink = 0.01;

    /// <summary>Per-feature mean, standard deviation and largest magnitude over a training sample (real steps only).</summary>
    internal static (double[] Mean, double[] Std, double[] Peak) FeatureStatistics(DiagnosisContext c) => FeatureStatistics(c, c.Train, 31);

    /// <summary>Per-feature mean, standard deviation and largest magnitude over a seeded sample of a dataset's rows (real steps only).</summary>
    internal static (double[] Mean, double[] Std, double[] Peak) FeatureStatistics(DiagnosisContext c, SequenceDataset data, int seed)
    {
        using var scope = NewDisposeScope();
        var rows = DiagnosisContext.RandomRows(data, 4 * c.Options.SampleSize, seed).Select(r => (long)r).ToArray();
        using var batch = data.GetBatch(rows);
        var x = batch.Inputs.to(ScalarType.Float64);
        var flat = x.reshape(-1, x.shape[^1]);                                                 // (rows·T, F)
        if (batch.Lengths is { } lengths)
            flat = flat[arange(x.shape[1]).unsqueeze(0).lt(lengths.unsqueeze(1)).reshape(-1)];
        return (flat.mean([0]).data<double>().ToArray(), flat.std(0, false).data<double>().ToArray(), flat.abs().amax([0]).data<double>().ToArray());
    }

    /// <summary>The gradient norm of a copy of the model as trained on 4 shuffled training batches (seeded), unclipped.</summary>
    public static double[] GradientNormsOf(DiagnosisContext c) =>
        [.. PerBatchGradients(c, 51, copy => nn.utils.clip_grad_norm_(copy.parameters(), double.PositiveInfinity))];

    /// <summary>
    /// On a copy of the model as trained, for each of 4 shuffled training batches (seeded by <paramref name="seed"/>):
    /// the gradients of the user's loss, then <paramref name="measure"/> of the copy, inside the batch's dispose scope.
    /// </summary>
    public static List<double> PerBatchGradients(DiagnosisContext c, int seed, Func<Models.SequenceModel, double> measure)
    {
        using var copy = c.Model.Copy();
        copy.train();
        var values = new List<double>();
        foreach (var rows in c.Train.BatchOrder(new BatchOptions { BatchSize = c.Training.BatchSize, Shuffle = true, Seed = seed }).Take(4))
        {
            using var scope = NewDisposeScope();
            using var batch = c.Train.GetBatch(rows, copy.Device);
            using (NewDisposeScope()) copy.zero_grad();
            TrainingStep.BatchLoss(copy, batch, c.Training.Loss, c.Setup).Loss.backward();
            values.Add(measure(copy));
        }
        return values;
    }

}
