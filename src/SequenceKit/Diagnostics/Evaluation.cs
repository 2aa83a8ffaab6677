using System.Globalization;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using static TorchSharp.torch;

namespace SequenceKit.Diagnostics;

/// <summary>
/// The model's numbers on the evaluated set: on the whole set when it is small enough (then every number the history
/// also has equals it), else on a seeded random sample stratified by class, whose size is stated.
/// </summary>
internal sealed class Evaluation
{
    private readonly DiagnosisContext context;

    private Evaluation(DiagnosisContext context, int rows, bool wholeSet, IReadOnlyDictionary<string, double> metrics)
    {
        (this.context, Rows, WholeSet, Metrics) = (context, rows, wholeSet, metrics);
    }

    /// <summary>Rows evaluated.</summary>
    public int Rows { get; }

    /// <summary>Whether they are the whole evaluated set.</summary>
    public bool WholeSet { get; }

    /// <summary>"loss" and each of the training options' metrics, as <c>Trainer.Evaluate</c> computes them.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; }

    /// <summary>Predicted and true classes of every evaluated item (classification only).</summary>
    public long[] Predicted { get; private set; } = [];

    /// <summary>True classes, aligned with <see cref="Predicted"/>.</summary>
    public long[] Actual { get; private set; } = [];

    public double Accuracy => Share(Predicted.Zip(Actual).Count(p => p.First == p.Second));

    /// <summary>The mean per-class recall over the classes present (scikit-learn's balanced accuracy).</summary>
    public double BalancedAccuracy => BalancedAccuracyOf(Predicted, Actual);

    public long MajorityClass => Actual.GroupBy(a => a).MaxBy(g => g.Count())!.Key;

    public double MajorityShare
    {
        get
        {
            var majority = MajorityClass;                     // once, not per item
            return Share(Actual.Count(a => a == majority));
        }
    }

    /// <summary>The largest share of predictions that go to one class, and that class.</summary>
    public (long Class, double Share) TopPrediction
    {
        get
        {
            var top = Predicted.GroupBy(p => p).MaxBy(g => g.Count())!;
            return (top.Key, Share(top.Count()));
        }
    }

    /// <summary>R² of the predictions (regression only; NaN otherwise).</summary>
    public double R2 { get; private set; } = double.NaN;

    /// <summary>"on the 312 validation rows" or "on a stratified sample of 20,000 of the 91,000 validation rows".</summary>
    public string Where => WholeSet
        ? string.Create(CultureInfo.InvariantCulture, $"on the {Rows:N0} {context.EvaluatedName} rows")
        : string.Create(CultureInfo.InvariantCulture, $"on a seeded stratified sample of {Rows:N0} of the {context.Evaluated.Count:N0} {context.EvaluatedName} rows");

    /// <summary>
    /// The evidence key for a metric: the history's own name ("val_accuracy") when the value equals the history's last
    /// epoch, else a name that says it is the model as it is now (weights restored, or a sample).
    /// </summary>
    public string Key(string metric, double value)
    {
        var name = context.HistoryName(metric);
        if (context.History.Epochs.Count > 0 && context.History.Epochs[^1].Metrics.TryGetValue(name, out var recorded)
            && Math.Abs(recorded - value) <= 1e-6 * Math.Max(1, Math.Abs(recorded)))
            return name;
        return $"{metric} {(WholeSet ? "" : "(sample) ")}on the {context.EvaluatedName} set now";
    }

    public static double BalancedAccuracyOf(IReadOnlyList<long> predicted, IReadOnlyList<long> actual)
    {
        var recalls = actual.Distinct().Select(k =>
        {
            var of = Enumerable.Range(0, actual.Count).Where(i => actual[i] == k).ToList();
            return of.Count(i => predicted[i] == k) / (double)of.Count;
        }).ToList();
        return recalls.Count == 0 ? double.NaN : recalls.Average();
    }

    public static Evaluation Of(DiagnosisContext c)
    {
        var data = c.Evaluated;
        var whole = data.Count <= c.Options.MaxEvaluatedRows;
        var sample = whole ? data : c.Own(data.Subset(StratifiedRows(data, c.Labels(data), c.Options.MaxEvaluatedRows)));
        var metrics = Trainer.Evaluate(c.Model, sample, c.Training);
        var evaluation = new Evaluation(c, (int)sample.Count, whole, metrics);
        if (c.IsClassification)
        {
            (evaluation.Predicted, evaluation.Actual) = Trainer.Classes(c.Model, sample, c.MetricSetup, c.Training.BatchSize);
        }
        else
        {
            using var scope = NewDisposeScope();
            var predicted = Trainer.Predict(c.Model, sample.Inputs, sample.Lengths, c.Training.BatchSize).to(ScalarType.Float64);
            var actual = sample.Targets.to(ScalarType.Float64).reshape(predicted.shape);
            evaluation.R2 = RSquared(predicted, actual, sample.Lengths);
        }
        return evaluation;
    }

    /// <summary>R² averaged over target columns (padded steps excluded for per-step targets).</summary>
    public static double RSquared(Tensor predicted, Tensor actual, Tensor? lengths)
    {
        using var scope = NewDisposeScope();
        var features = predicted.shape[^1];
        Tensor p = predicted.reshape(-1, features), a = actual.reshape(-1, features);
        if (lengths is not null && predicted.Dimensions == 3)
        {
            var mask = arange(predicted.shape[1]).unsqueeze(0).lt(lengths.unsqueeze(1)).reshape(-1);   // (B·T)
            p = p[mask];
            a = a[mask];
        }
        var residual = (a - p).square().sum([0]);
        var total = (a - a.mean([0])).square().sum([0]).clamp_min(1e-300);
        return (1 - residual / total).mean().item<double>();
    }

    private static int[] StratifiedRows(SequenceDataset data, long[]? labels, int count)
    {
        if (labels is null) return DiagnosisContext.RandomRows(data, count, 7);
        var random = new Random(7);
        var rows = new List<int>();
        foreach (var group in Enumerable.Range(0, labels.Length).GroupBy(i => labels[i]))
        {
            var members = group.ToArray();
            random.Shuffle(members);
            rows.AddRange(members.Take((int)Math.Round(count * (double)members.Length / labels.Length)));
        }
        rows.Sort();
        return rows.ToArray();
    }

    private double Share(int count) => Actual.Length == 0 ? double.NaN : (double)count / Actual.Length;
}
