using System.Globalization;

namespace SequenceKit.Diagnostics;

/// <summary>
/// Where the run stands: the model's score on the evaluated set against the trivial predictor (the majority class, or
/// the mean) and against the learnability baseline. Stuck: no better than trivial. Behind: clearly below the baseline.
/// </summary>
internal sealed class Status
{
    private Status(bool classification) => Classification = classification;

    public bool Classification { get; }
    public double Accuracy { get; private init; } = double.NaN;
    public double BalancedAccuracy { get; private init; } = double.NaN;
    public double MajorityShare { get; private init; } = double.NaN;
    public double R2 { get; private init; } = double.NaN;
    public int Rows { get; private init; }
    public int Classes { get; private init; }

    /// <summary>Set once the baseline is fitted.</summary>
    public Baseline? Baseline { get; set; }

    /// <summary>The widest margin at which a failed baseline still counts as evidence (about 60 scored rows).</summary>
    public const double MaxBaselineMargin = 0.15;

    /// <summary>Two standard errors of a share p measured on n rows, plus 0.02.</summary>
    public static double Margin(double p, int n) => 2 * Math.Sqrt(Math.Max(p * (1 - p), 0.01) / Math.Max(1, n)) + 0.02;

    // Judged by balanced accuracy: the trivial predictor scores chance on it whatever the class shares. Accuracy is
    // no yardstick on imbalanced data: at a majority share of 0.96, 2 standard errors cover every accuracy up to 1, and
    // a model that separates the classes (balanced accuracy 0.99) would count as stuck.
    public bool Stuck => Classification
        ? BalancedAccuracy <= 1.0 / Classes + Margin(1.0 / Classes, Rows)
        : R2 < 0.2;

    public bool Behind => Baseline is { } b && (Classification
        ? b.Accuracy - Accuracy > Margin(Accuracy, Rows) + Margin(b.Accuracy, b.ScoredRows) || b.BalancedAccuracy - BalancedAccuracy > 0.15
        : b.R2 - R2 > 0.15);

    public static Status Of(DiagnosisContext c)
    {
        var e = c.Evaluation;
        return c.IsClassification
            ? new Status(true) { Accuracy = e.Accuracy, BalancedAccuracy = e.BalancedAccuracy, MajorityShare = e.MajorityShare, Rows = e.Actual.Length, Classes = Math.Max(2, e.Actual.Distinct().Count()) }
            : new Status(false) { R2 = e.R2, Rows = e.Rows };
    }

    public string Summary => Classification
        ? F($"model: accuracy {Accuracy:F4}, balanced accuracy {BalancedAccuracy:F4}, majority share {MajorityShare:F4} on {Rows} evaluated items")
        : F($"model: R² {R2:F4} on {Rows} evaluated rows");

    public string BaselineSummary(DiagnosisContext c) => Baseline is not { } b ? "" : Classification
        ? F($"baseline ({b.Method} on sequence summaries, fitted on {b.FittedRows} training rows, scored on {b.ScoredRows} others): accuracy {b.Accuracy:F4}, balanced accuracy {b.BalancedAccuracy:F4}, majority share {b.MajorityShare:F4}")
        : F($"baseline ({b.Method} on sequence summaries, fitted on {b.FittedRows} training rows, scored on {b.ScoredRows} others): R² {b.R2:F4}");

    /// <summary>SK001, the symptom: the model is no better than the majority class. Ranks below any cause.</summary>
    public Finding? Symptom(DiagnosisContext c)
    {
        if (!Classification || !Stuck) return null;
        var e = c.Evaluation;
        var (top, share) = e.TopPrediction;
        var accuracyKey = e.Key("accuracy", e.Accuracy);
        var evidence = Checks.E((accuracyKey, e.Accuracy), ("balanced accuracy", e.BalancedAccuracy), ("chance", 1.0 / Classes), ("majority class", e.MajorityClass), ("majority share", e.MajorityShare), ("largest share of predictions", share), ("evaluated items", e.Actual.Length));
        if (e.Metrics.TryGetValue("loss", out var loss)) evidence[e.Key("loss", loss)] = loss;
        var collapsed = share >= 0.9;
        return new Finding("SK001", collapsed ? "Predicts the majority class" : "No better than predicting the majority class", Severity.Critical, 0.25,
            F($"{c.EvaluatedName} accuracy {e.Accuracy:F4} {e.Where} against a share of {e.MajorityShare:F4} for the largest class {e.MajorityClass}, and balanced accuracy {e.BalancedAccuracy:F4}, no better than chance ({1.0 / Classes:F4}); ") +
            (collapsed ? F($"{share:P0} of predictions are class {top}: the model ignores its inputs.") : F($"the predictions are spread over the classes ({share:P0} at most for one), but do not separate them.")),
            evidence,
            "This is a symptom: the other findings name its cause. If there is none, check that the labels belong to their inputs.");
    }

    /// <summary>SK013: the labels do not follow from the inputs (shuffled, shifted, wrong column).</summary>
    public Finding? LabelsVerdict(DiagnosisContext c, bool learnable)
    {
        if (Baseline is not { } b || !Stuck || learnable) return null;
        // A baseline scored on a handful of rows could not have shown a signal (its margin exceeds 0.15 below about
        // 60 rows), so its failure is no evidence that the labels do not follow: say nothing rather than guess.
        if (Margin(0.5, b.ScoredRows) > MaxBaselineMargin) return null;
        bool trivial;
        string numbers;
        Dictionary<string, double> evidence;
        var e = c.Evaluation;
        if (Classification)
        {
            trivial = b.Accuracy <= b.MajorityShare + Margin(b.MajorityShare, b.ScoredRows) && b.BalancedAccuracy <= 1.0 / Classes + Margin(1.0 / Classes, b.ScoredRows);
            numbers = F($"the model's {c.EvaluatedName} accuracy is {Accuracy:F4} against a majority share of {MajorityShare:F4}, and a {b.Method} on summaries of the inputs scores {b.Accuracy:F4} (balanced {b.BalancedAccuracy:F4}) on held-out training rows against a majority share of {b.MajorityShare:F4}");
            evidence = Checks.E((e.Key("accuracy", Accuracy), Accuracy), ("majority share", MajorityShare), ("baseline accuracy", b.Accuracy), ("baseline balanced accuracy", b.BalancedAccuracy), ("baseline majority share", b.MajorityShare));
        }
        else
        {
            trivial = b.R2 < 0.05;
            numbers = F($"the model's {c.EvaluatedName} R² is {R2:F4} and a {b.Method} on summaries of the inputs reaches R² {b.R2:F4} on held-out training rows (0 = predicting the mean)");
            evidence = Checks.E(("R² now", R2), ("baseline R²", b.R2));
        }
        if (!trivial) return null;
        var confidence = Math.Min(0.92, 0.5 + 0.1 * Math.Log10(Math.Max(10, b.ScoredRows + Rows)));
        return new Finding("SK013", "Labels do not follow from the inputs", Severity.Critical, confidence,
            F($"Nothing predicts these labels: {numbers}; no change tried in the experiments made a copy learn either. The labels are likely misaligned with their inputs (shifted by a row, shuffled separately, or the wrong column)."),
            evidence,
            "Check that inputs and labels are split and shuffled with the same row indices (DataSplit.Take on both), that no row was dropped from one and not the other, and that the label column is the one meant.");
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
