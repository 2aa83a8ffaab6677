namespace SequenceKit.Data;

/// <summary>
/// How <see cref="SeriesFile.ReadArrow"/> reads an Apache Arrow IPC file of a series: one row per time step (oldest
/// first), one numeric column per feature. Nulls become NaN (the scalers ignore NaN when fitting and keep it when
/// transforming, as scikit-learn's do).
/// </summary>
public sealed record SeriesArrowOptions
{
    /// <summary>
    /// The columns to read, by name, in the order they become features. Null (the default) takes every column of a
    /// numeric type (integers, half, single and double floats) in schema order, so timestamp and text columns are
    /// left out.
    /// </summary>
    public IReadOnlyList<string>? Columns { get; init; }
}
