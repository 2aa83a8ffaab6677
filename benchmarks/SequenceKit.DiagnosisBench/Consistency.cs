using System.Globalization;
using SequenceKit.Diagnostics;
using SequenceKit.Training;

namespace SequenceKit.DiagnosisBench;

/// <summary>
/// Checks that the numbers a finding quotes from the history are the history's. An evidence key that is a metric name
/// of the last epoch ("val_accuracy", "loss", …), or "last " + such a name, must equal that epoch's value to 1e-6
/// relative. Other evidence (the doctor's own measurements on a sample) is not checked here.
/// </summary>
public static class Consistency
{
    /// <summary>Relative tolerance of the comparison.</summary>
    public const double Tolerance = 1e-6;

    /// <summary>Every disagreement, as "SK001 'val_accuracy' = 0.5 but the history's last epoch has 0.61".</summary>
    /// <param name="report">The doctor's report.</param>
    /// <param name="history">The history the doctor was given.</param>
    /// <returns>The violations; empty when consistent.</returns>
    public static List<string> Check(DiagnosisReport report, History history)
    {
        var violations = new List<string>();
        if (history.Epochs.Count == 0) return violations;
        var last = history.Epochs[^1].Metrics;
        foreach (var finding in report.Findings)
            foreach (var (key, value) in finding.Evidence)
            {
                var prefixed = key.StartsWith("last ", StringComparison.Ordinal);
                var metric = prefixed ? key[5..] : key;
                if (!last.TryGetValue(metric, out var expected) || Same(value, expected)) continue;
                violations.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{finding.Code} '{key}' = {value:G9} but the history's last epoch has {metric} = {expected:G9}{(prefixed ? " (\"last \" key)" : " (exact key)")}"));
            }
        return violations;
    }

    private static bool Same(double a, double b) =>
        (double.IsNaN(a) && double.IsNaN(b)) || a.Equals(b) || Math.Abs(a - b) <= Tolerance * Math.Max(Math.Abs(a), Math.Abs(b));
}
