using System.Globalization;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Training.Metrics;

/// <summary>
/// Counts of (true class, predicted class) pairs: <c>Counts[actual, predicted]</c>. Gives per-class accuracy (recall),
/// precision, F1 and their macro averages. Fill it with <see cref="Update"/> or <c>Trainer.ConfusionMatrix</c>.
/// </summary>
public sealed class ConfusionMatrix
{
    private long[,] counts = new long[0, 0];
    private MetricSetup setup = new(Layers.Activation.None, 2);

    /// <summary>The number of classes.</summary>
    public int ClassCount => counts.GetLength(0);

    /// <summary>Counts[actual, predicted].</summary>
    public long[,] Counts => (long[,])counts.Clone();

    /// <summary>Starts counting for the given output.</summary>
    /// <param name="setup">How to read the output; one unit means two classes.</param>
    public void Reset(MetricSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        this.setup = setup;
        var k = (int)Math.Max(2, setup.OutputUnits);
        counts = new long[k, k];
    }

    /// <summary>Adds a batch.</summary>
    /// <param name="output">The model's output.</param>
    /// <param name="target">Class indices or one-hot targets.</param>
    /// <param name="mask">Real steps of a padded sequence batch, or null.</param>
    public void Update(Tensor output, Tensor target, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        var (predicted, actual) = ClassPredictions.Of(output, target, setup, mask);
        var k = ClassCount;
        var pairs = (actual * k + predicted).bincount(null, k * k).data<long>().ToArray();
        for (var i = 0; i < k * k && i < pairs.Length; i++) counts[i / k, i % k] += pairs[i];
    }

    /// <summary>Per class: correct / actual count (recall); NaN for a class that never occurs.</summary>
    public IReadOnlyList<double> PerClassAccuracy => Enumerable.Range(0, ClassCount).Select(c => Ratio(counts[c, c], Row(c))).ToArray();

    /// <summary>Per class: correct / predicted count; NaN for a class never predicted.</summary>
    public IReadOnlyList<double> Precision => Enumerable.Range(0, ClassCount).Select(c => Ratio(counts[c, c], Column(c))).ToArray();

    /// <summary>Per class: harmonic mean of precision and recall (0 when both are 0; NaN when undefined).</summary>
    public IReadOnlyList<double> F1 => Enumerable.Range(0, ClassCount).Select(c =>
    {
        var (p, r) = (Precision[c], PerClassAccuracy[c]);
        return double.IsNaN(p) || double.IsNaN(r) ? (Row(c) + Column(c) == 0 ? double.NaN : 0) : p + r == 0 ? 0 : 2 * p * r / (p + r);
    }).ToArray();

    /// <summary>Mean precision over classes that were predicted or occur (undefined ones count as 0, as scikit-learn's zero_division=0).</summary>
    public double MacroPrecision => Macro(Precision);

    /// <summary>Mean recall over the classes that occur or were predicted.</summary>
    public double MacroRecall => Macro(PerClassAccuracy);

    /// <summary>Mean F1 over the classes that occur or were predicted.</summary>
    public double MacroF1 => Macro(F1);

    /// <summary>The matrix as a table, rows = true class, columns = predicted class.</summary>
    /// <returns>The table.</returns>
    public override string ToString()
    {
        var text = new StringBuilder("actual\\predicted");
        for (var c = 0; c < ClassCount; c++) text.Append(CultureInfo.InvariantCulture, $"{c,8}");
        for (var a = 0; a < ClassCount; a++)
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"{a,16}");
            for (var p = 0; p < ClassCount; p++) text.Append(CultureInfo.InvariantCulture, $"{counts[a, p],8}");
        }
        return text.ToString();
    }

    private long Row(int c) => Enumerable.Range(0, ClassCount).Sum(p => counts[c, p]);

    private long Column(int c) => Enumerable.Range(0, ClassCount).Sum(a => counts[a, c]);

    private static double Ratio(long numerator, long denominator) => denominator == 0 ? double.NaN : (double)numerator / denominator;

    private double Macro(IReadOnlyList<double> perClass)
    {
        var present = Enumerable.Range(0, ClassCount).Where(c => Row(c) + Column(c) > 0).ToList();
        return present.Count == 0 ? double.NaN : present.Average(c => double.IsNaN(perClass[c]) ? 0 : perClass[c]);
    }
}
