using System.Globalization;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using static SequenceKit.Diagnostics.Checks;

namespace SequenceKit.Diagnostics;

/// <summary>SK002: imbalanced classes, from the training labels and measured on the model.</summary>
internal static class ClassImbalanceCheck
{
    // SK002
    public static IEnumerable<Result> Run(DiagnosisContext c)
    {
        var labels = c.TrainLabels ?? throw new NotCheckableException("SK002 applies to classification targets");
        var distribution = ClassDistribution.Of(labels, (int)c.ClassCount);
        if (distribution.ImbalanceRatio < 3) return None;
        var present = distribution.Counts.Count(x => x > 0);
        var weights = distribution.Counts.Select(count => count == 0 ? 0 : (double)distribution.Total / (present * count)).ToArray();
        var weighted = c.Training.ClassWeights is not null;
        var evidence = E(("imbalance ratio", distribution.ImbalanceRatio), ("majority class", distribution.MajorityClass), ("majority share", distribution.MajorityShare));
        var finding = new Finding("SK002", "Imbalanced classes", Severity.Info, 0.2,
            F($"The largest class ({distribution.MajorityClass}) has {distribution.ImbalanceRatio:F1}× the samples of the smallest; the majority share is {distribution.MajorityShare:F4}, the accuracy of always predicting it.") +
            (weighted ? " Class weights are already set." : ""),
            evidence,
            $"Pass balanced class weights: TrainerOptions.ClassWeights = [{string.Join(", ", weights.Select(w => w.ToString("0.###", CultureInfo.InvariantCulture)))}] (Labels.BalancedClassWeights), and judge the model by MacroF1 or MacroRecall, not accuracy.");
        return [new Result(finding, false, weighted ? null : new Treatment("SK002", "balanced class weights", finding.Fix) { ClassWeights = true })];
    }

    /// <summary>
    /// SK002 measured on the user's model: the recall of the classes that have at most a third of the largest class's
    /// training samples, against the largest class's own recall, on the evaluated set. A model that the imbalance pulls
    /// to the majority recalls it and misses the rest; a gap of 0.3 or more makes the candidate a fallback (it stands
    /// when the run is not healthy and no experiment confirmed a cause), its confidence growing with the gap. Fewer
    /// than 3 evaluated rows of the smaller classes are no measurement: the candidate stays as it was. A confirmed
    /// faster route (a higher rate, more units) does not explain which classes are missed, so it also stands beside one.
    /// </summary>
    public static void OnModel(DiagnosisContext c, List<Result> results)
    {
        var index = results.FindIndex(r => r.Finding.Code == "SK002" && r.Treatment is not null);
        if (index < 0) return;
        var e = c.Evaluation;
        if (e.Actual.Length != e.Rows) return;                     // per-step targets: the class counts are per row
        var counts = ClassDistribution.Of(c.TrainLabels!, (int)c.ClassCount).Counts;
        var majority = Array.IndexOf(counts.ToArray(), counts.Max());
        var smaller = Enumerable.Range(0, counts.Count).Where(k => counts[k] > 0 && 3 * counts[k] <= counts[majority]).ToHashSet();
        double Recall(long k)
        {
            var rows = Enumerable.Range(0, e.Actual.Length).Where(i => e.Actual[i] == k).ToArray();
            return rows.Length == 0 ? double.NaN : (double)rows.Count(i => e.Predicted[i] == k) / rows.Length;
        }
        var minorityRows = e.Actual.Count(a => smaller.Contains((int)a));
        var majorityRecall = Recall(majority);
        var minorityRecall = smaller.Select(k => Recall(k)).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();
        if (minorityRows < 3 || !double.IsFinite(majorityRecall) || !double.IsFinite(minorityRecall)) return;
        var gap = majorityRecall - minorityRecall;
        if (gap < 0.3) return;
        var r = results[index];
        var evidence = new Dictionary<string, double>(r.Finding.Evidence)
        {
            ["majority class recall"] = majorityRecall,
            ["smaller classes' recall"] = minorityRecall,
            ["smaller classes' evaluated items"] = minorityRows,
        };
        results[index] = r with
        {
            Finding = r.Finding with
            {
                Severity = Severity.Warning,
                Confidence = Math.Min(0.6, 0.25 + 0.35 * gap),
                Message = r.Finding.Message + F($" On the {e.Actual.Length} {c.EvaluatedName} items the model finds {majorityRecall:P0} of class {majority}'s but {minorityRecall:P0} of the smaller classes' ({minorityRows} items): the imbalance pulls its predictions to the majority."),
                Evidence = evidence,
            },
            Fallback = true,
            BesideConfirmed = true,
        };
    }
}
