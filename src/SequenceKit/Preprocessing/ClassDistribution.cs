using System.Numerics;
using System.Globalization;
using System.Text;

namespace SequenceKit.Preprocessing;

/// <summary>How many samples each class has, their shares, and the majority class: the baseline accuracy a model must beat.</summary>
public sealed class ClassDistribution
{
    private ClassDistribution(long[] counts)
    {
        Counts = counts.AsReadOnly();
        Total = counts.Sum();
        Shares = counts.Select(c => (double)c / Total).ToArray().AsReadOnly();
        MajorityClass = Array.IndexOf(counts, counts.Max());
        var present = counts.Where(c => c > 0).ToArray();
        ImbalanceRatio = (double)present.Max() / present.Min();
    }

    /// <summary>Samples per class.</summary>
    public IReadOnlyList<long> Counts { get; }

    /// <summary>Each class's share of the samples; they sum to 1.</summary>
    public IReadOnlyList<double> Shares { get; }

    /// <summary>The number of samples.</summary>
    public long Total { get; }

    /// <summary>The most frequent class (the lowest index on ties).</summary>
    public int MajorityClass { get; }

    /// <summary>The majority class's share: the accuracy of always predicting it.</summary>
    public double MajorityShare => Shares[MajorityClass];

    /// <summary>The largest class count divided by the smallest non-zero one (1 when balanced).</summary>
    public double ImbalanceRatio { get; }

    /// <summary>Counts class indices.</summary>
    /// <typeparam name="T">The integer type of the labels (<c>int</c>, <c>long</c>, …), inferred from the argument.</typeparam>
    /// <param name="classIndices">Labels as indices in [0, classCount): <c>int[]</c>, <c>long[]</c>, <c>List&lt;int&gt;</c>, ….</param>
    /// <param name="classCount">The number of classes; null for the largest index + 1.</param>
    /// <returns>The distribution.</returns>
    /// <exception cref="ArgumentException"><paramref name="classIndices"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, classCount).</exception>
    public static ClassDistribution Of<T>(IEnumerable<T> classIndices, int? classCount = null) where T : struct, IBinaryInteger<T> =>
        Of(Labels.ClassIndices(classIndices, nameof(classIndices)), classCount);

    private static ClassDistribution Of(long[] classIndices, int? classCount)
    {
        if (classIndices.Length == 0) throw new ArgumentException("classIndices is empty.", nameof(classIndices));
        var k = classCount ?? (int)(classIndices.Max() + 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k, nameof(classCount));
        var counts = new long[k];
        for (var i = 0; i < classIndices.Length; i++)
        {
            Labels.CheckIndex(classIndices, i, k);
            counts[classIndices[i]]++;
        }
        return new ClassDistribution(counts);
    }

    /// <summary>A table: class, count and share per class, then the majority share and the imbalance ratio.</summary>
    /// <returns>The table.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine("class      count    share");
        for (var c = 0; c < Counts.Count; c++)
            text.AppendLine(CultureInfo.InvariantCulture, $"{c,5} {Counts[c],10:N0} {Shares[c] * 100,7:F2}%");
        text.Append(CultureInfo.InvariantCulture,
            $"majority class {MajorityClass} ({MajorityShare * 100:F2}% of {Total:N0}); imbalance ratio {ImbalanceRatio:0.##}");
        return text.ToString();
    }
}
