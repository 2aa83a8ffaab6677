using System.Numerics;

namespace SequenceKit.Preprocessing;

/// <summary>
/// Seeded train/validation splits that return row indices, so features, labels and lengths stay aligned. Fit scalers
/// and vocabularies on the training rows only.
/// </summary>
public static class DataSplit
{
    /// <summary>Splits <paramref name="count"/> rows at random.</summary>
    /// <param name="count">The number of rows; at least 2.</param>
    /// <param name="validationFraction">The share of rows for validation, in (0, 1); at least one row goes to each side.</param>
    /// <param name="seed">Seeds the shuffle: the same seed gives the same split.</param>
    /// <returns>The training and validation rows, each ascending.</returns>
    /// <exception cref="ArgumentOutOfRangeException">count &lt; 2 or the fraction is outside (0, 1).</exception>
    public static SplitIndices TrainValidation(int count, double validationFraction, int seed) =>
        Split(count, validationFraction, seed, null);

    /// <summary>Splits <paramref name="count"/> rows at random, stratified by class: each class is split in the same proportion.</summary>
    /// <typeparam name="T">The integer type of the classes (<c>int</c>, <c>long</c>, …), inferred from the argument.</typeparam>
    /// <param name="count">The number of rows; at least 2.</param>
    /// <param name="validationFraction">The share of rows for validation, in (0, 1); at least one row goes to each side.</param>
    /// <param name="seed">Seeds the shuffle: the same seed gives the same split.</param>
    /// <param name="stratifyBy">Class index per row: <c>int[]</c>, <c>long[]</c>, <c>List&lt;int&gt;</c>, ….</param>
    /// <returns>The training and validation rows, each ascending.</returns>
    /// <exception cref="ArgumentOutOfRangeException">count &lt; 2 or the fraction is outside (0, 1).</exception>
    /// <exception cref="ArgumentException"><paramref name="stratifyBy"/> does not have one entry per row.</exception>
    public static SplitIndices TrainValidation<T>(int count, double validationFraction, int seed, IEnumerable<T> stratifyBy)
        where T : struct, IBinaryInteger<T> =>
        Split(count, validationFraction, seed, Labels.ClassIndices(stratifyBy, nameof(stratifyBy)));

    private static SplitIndices Split(int count, double validationFraction, int seed, long[]? classes)
    {
        if (count < 2) throw new ArgumentOutOfRangeException(nameof(count), count, $"count must be at least 2 to split; got {count}.");
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, $"validationFraction must be in (0, 1); got {validationFraction}.");
        if (classes is not null && classes.Length != count)
            throw new ArgumentException($"stratifyBy has {classes.Length} entries for {count} rows; give one class per row.", "stratifyBy");

        var random = new Random(seed);
        var groups = classes is null
            ? [Enumerable.Range(0, count).ToArray()]
            : Enumerable.Range(0, count).GroupBy(i => classes[i]).OrderBy(g => g.Key).Select(g => g.ToArray()).ToArray();
        var validation = new List<int>();
        foreach (var group in groups)
        {
            random.Shuffle(group);
            var take = (int)Math.Round(group.Length * validationFraction, MidpointRounding.AwayFromZero);
            validation.AddRange(group.Take(take));
        }
        if (validation.Count == 0 || validation.Count == count)
        {
            // Keep both sides non-empty: move one row across.
            var all = Enumerable.Range(0, count).ToArray();
            random.Shuffle(all);
            validation = validation.Count == 0 ? [all[0]] : validation.Where(v => v != all[0]).ToList();
        }
        var inValidation = new bool[count];
        foreach (var v in validation) inValidation[v] = true;
        return new SplitIndices(
            Enumerable.Range(0, count).Where(i => !inValidation[i]).ToArray(),
            Enumerable.Range(0, count).Where(i => inValidation[i]).ToArray());
    }

    /// <summary>The rows of a 3-D array at the given indices, in order.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="data">(rows, time, features).</param>
    /// <param name="rows">Row indices, e.g. <see cref="SplitIndices.Train"/>.</param>
    /// <returns>(rows.Length, time, features).</returns>
    public static T[,,] Take<T>(T[,,] data, IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(rows);
        var (time, features) = (data.GetLength(1), data.GetLength(2));
        var result = new T[rows.Count, time, features];
        for (var i = 0; i < rows.Count; i++)
            for (var t = 0; t < time; t++)
                for (var f = 0; f < features; f++)
                    result[i, t, f] = data[CheckRow(rows, i, data.GetLength(0)), t, f];
        return result;
    }

    /// <summary>The rows of a 2-D array at the given indices, in order.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="data">(rows, columns).</param>
    /// <param name="rows">Row indices.</param>
    /// <returns>(rows.Length, columns).</returns>
    public static T[,] Take<T>(T[,] data, IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(rows);
        var columns = data.GetLength(1);
        var result = new T[rows.Count, columns];
        for (var i = 0; i < rows.Count; i++)
            for (var c = 0; c < columns; c++)
                result[i, c] = data[CheckRow(rows, i, data.GetLength(0)), c];
        return result;
    }

    /// <summary>The elements of a list at the given indices, in order.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="data">One entry per row (labels, lengths, sequences).</param>
    /// <param name="rows">Row indices.</param>
    /// <returns>The selected entries.</returns>
    public static T[] Take<T>(IReadOnlyList<T> data, IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(rows);
        return Enumerable.Range(0, rows.Count).Select(i => data[CheckRow(rows, i, data.Count)]).ToArray();
    }

    private static int CheckRow(IReadOnlyList<int> rows, int i, int count) => rows[i] >= 0 && rows[i] < count ? rows[i]
        : throw new ArgumentOutOfRangeException(nameof(rows), rows[i], $"rows[{i}] = {rows[i]} is outside 0..{count - 1}.");
}
