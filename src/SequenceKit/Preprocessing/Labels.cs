using System.Numerics;

namespace SequenceKit.Preprocessing;

/// <summary>Helpers for class-index labels: one-hot encoding and class weights.</summary>
public static class Labels
{
    /// <summary>One-hot encodes class indices (Keras' <c>to_categorical</c>): row i has a 1 in column <c>classIndices[i]</c>.</summary>
    /// <typeparam name="T">The integer type of the indices (<c>int</c>, <c>long</c>, …), inferred from the argument.</typeparam>
    /// <param name="classIndices">Indices in [0, <paramref name="classCount"/>): <c>int[]</c>, <c>long[]</c>, <c>List&lt;int&gt;</c>, ….</param>
    /// <param name="classCount">The number of classes; positive.</param>
    /// <returns>(samples, classCount) of 0 and 1.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="classIndices"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, classCount), or classCount is not positive.</exception>
    public static float[,] ToCategorical<T>(IEnumerable<T> classIndices, int classCount) where T : struct, IBinaryInteger<T> =>
        ToCategorical(ClassIndices(classIndices, nameof(classIndices)), classCount);

    private static float[,] ToCategorical(long[] classIndices, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        var oneHot = new float[classIndices.Length, classCount];
        for (var i = 0; i < classIndices.Length; i++)
        {
            CheckIndex(classIndices, i, classCount);
            oneHot[i, classIndices[i]] = 1;
        }
        return oneHot;
    }

    /// <summary>
    /// Class weights by the "balanced" rule, <c>n / (k · count_c)</c> (scikit-learn's <c>compute_class_weight</c>):
    /// rare classes weigh more, and the weighted counts are equal.
    /// </summary>
    /// <typeparam name="T">The integer type of the indices, inferred from the argument.</typeparam>
    /// <param name="classIndices">The training labels as indices in [0, <paramref name="classCount"/>): <c>int[]</c>, <c>long[]</c>, ….</param>
    /// <param name="classCount">k, the number of classes; positive.</param>
    /// <returns>One weight per class.</returns>
    /// <exception cref="ArgumentException">No labels, or a class that never occurs (its weight would be infinite).</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, classCount).</exception>
    public static double[] BalancedClassWeights<T>(IEnumerable<T> classIndices, int classCount) where T : struct, IBinaryInteger<T>
    {
        var distribution = ClassDistribution.Of(classIndices, classCount);
        var missing = Enumerable.Range(0, classCount).FirstOrDefault(c => distribution.Counts[c] == 0, -1);
        if (missing >= 0)
            throw new ArgumentException($"Class {missing} never occurs in classIndices, so it has no balanced weight; pass the number of classes that occur, or more data.", nameof(classIndices));
        return distribution.Counts.Select(count => (double)distribution.Total / (classCount * count)).ToArray();
    }

    /// <summary>Class indices of any integer type as int64, or an <see cref="ArgumentNullException"/> naming the parameter.</summary>
    internal static long[] ClassIndices<T>(IEnumerable<T> values, string parameter) where T : struct, IBinaryInteger<T>
    {
        ArgumentNullException.ThrowIfNull(values, parameter);
        return values is long[] same ? same : values.Select(long.CreateSaturating).ToArray();
    }

    internal static void CheckIndex(IReadOnlyList<long> classIndices, int i, int classCount)
    {
        if (classIndices[i] < 0 || classIndices[i] >= classCount)
            throw new ArgumentOutOfRangeException(nameof(classIndices), classIndices[i], $"classIndices[{i}] = {classIndices[i]} is outside 0..{classCount - 1} for {classCount} classes.");
    }
}
