namespace SequenceKit.Data;

/// <summary>
/// How <see cref="SeriesFile"/> reads a CSV file of a series: one row per time step (oldest first), one column per
/// feature. Numbers use the invariant culture (a '.' decimal point); an empty field, <c>NaN</c> or <c>nan</c> is a
/// missing value, kept as NaN (the scalers ignore NaN when fitting and keep it when transforming, as scikit-learn's
/// do).
/// </summary>
public sealed record SeriesCsvOptions
{
    /// <summary>
    /// The columns to read, in the order they become features: names from the header, or, when
    /// <see cref="HasHeader"/> is false, zero-based positions written as text (<c>["0", "2"]</c>). Null (the default)
    /// takes every column whose value in the first data row is a number or missing, so a timestamp or label column is
    /// left out; name the columns to make the choice explicit.
    /// </summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>Whether the first line holds the column names. Default true.</summary>
    public bool HasHeader { get; init; } = true;

    /// <summary>The character between fields. Default ','; use ';' or '\t' for other dialects. Fields may be quoted.</summary>
    public char Separator { get; init; } = ',';
}
