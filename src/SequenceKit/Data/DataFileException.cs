namespace SequenceKit.Data;

/// <summary>
/// A data file (a NumPy <c>.npy</c> array, a CSV series) that cannot be used: missing, not the format it claims,
/// truncated, of an unsupported type, or holding a value that cannot be read. Names the file and, where the problem is
/// in the data, the row and the column.
/// </summary>
public sealed class DataFileException : SequenceKitException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file.</param>
    /// <param name="problem">What is wrong, the value seen and what was expected.</param>
    /// <param name="row">The data row at fault (from 0), or null.</param>
    /// <param name="column">The column at fault (a name or an index), or null.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public DataFileException(string path, string problem, long? row = null, string? column = null, Exception? innerException = null)
        : base($"Cannot read data file '{path}'{Where(row, column)}: {problem}", innerException ?? new InvalidDataException(problem))
    {
        Path = path;
        Row = row;
        Column = column;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The data row at fault (from 0), or null when the problem is not in one row.</summary>
    public long? Row { get; }

    /// <summary>The column at fault, or null.</summary>
    public string? Column { get; }

    private static string Where(long? row, string? column) => (row, column) switch
    {
        (null, null) => "",
        ({ } r, null) => $" (row {r})",
        (null, { } c) => $" (column {c})",
        ({ } r, { } c) => $" (row {r}, column {c})",
    };
}
