using System.Globalization;
using nietras.SeparatedValues;

namespace SequenceKit.Data;

/// <summary>
/// Reads the chosen columns of a CSV series row by row with Sep, into float32 rows, checking every field: the reader
/// keeps one buffer of text, never the whole file. Errors are <see cref="DataFileException"/>s naming the file, the
/// data row (from 0, the header not counted), its line and the column.
/// </summary>
internal sealed class CsvSeriesReader : IDisposable
{
    private readonly SepReader reader;
    private readonly int[] indices;
    private readonly int fieldCount;
    private readonly int headerRows;
    private bool hasPending;                 // the first data row was read to choose the columns and is not consumed yet

    private CsvSeriesReader(string path, SeriesCsvOptions options)
    {
        Path = path;
        reader = OpenSep(path, options);
        headerRows = options.HasHeader ? 1 : 0;
        try
        {
            string[] names;
            if (options.HasHeader)
            {
                names = reader.Header.ColNames.ToArray();
                if (names.Length == 0 || (names.Length == 1 && names[0].Length == 0))
                    throw new DataFileException(path, "it is empty: no header line and no data rows.");
            }
            else names = [];
            hasPending = Next();
            if (!hasPending) throw new DataFileException(path, options.HasHeader ? "it has a header but no data rows." : "it is empty: no data rows.");
            fieldCount = options.HasHeader ? names.Length : reader.Current.ColCount;
            if (!options.HasHeader) names = Enumerable.Range(0, fieldCount).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
            indices = options.Columns is { } wanted ? Named(wanted, names) : Numeric(names);
            Columns = indices.Select(i => names[i]).ToArray();
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The names of the columns read, in feature order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Data rows consumed so far.</summary>
    public long RowsRead { get; private set; }

    /// <summary>Opens the file and chooses the columns (reading the header and the first data row).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFileException">The file is empty, or a named column is missing.</exception>
    public static CsvSeriesReader Open(string path, SeriesCsvOptions? options) => new(path, Check(options ?? new SeriesCsvOptions()));

    /// <summary>Counts the data rows without converting a value (the first pass of <see cref="SeriesFile.ReadCsv"/>).</summary>
    public static long CountRows(string path, SeriesCsvOptions? options)
    {
        using var reader = Open(path, options);
        while (reader.MoveNext()) reader.RowsRead++;                                    // so a read error names its row
        return reader.RowsRead;
    }

    /// <summary>
    /// Reads up to <c>destination.Length / Columns.Count</c> rows into <paramref name="destination"/>, row-major.
    /// </summary>
    /// <returns>The rows read; fewer than asked only at the end of the file.</returns>
    public int Read(Span<float> destination)
    {
        var width = indices.Length;
        var rows = 0;
        while (rows < destination.Length / width && (hasPending || Next()))
        {
            hasPending = false;
            var row = reader.Current;
            var dataRow = RowsRead;
            if (row.ColCount != fieldCount)
            {
                string? missing = null;
                for (var j = 0; j < width && missing is null; j++) if (indices[j] >= row.ColCount) missing = Columns[j];
                throw new DataFileException(Path,
                    $"line {row.LineNumberFrom} has {row.ColCount} fields but {(headerRows == 1 ? "the header" : "the first row")} has {fieldCount}; " +
                    "every row needs the same fields (quote a value that contains the separator).", dataRow, missing);
            }
            var values = destination.Slice(rows * width, width);
            for (var j = 0; j < width; j++) values[j] = Parse(row[indices[j]].Span, dataRow, row.LineNumberFrom, j);
            RowsRead++;
            rows++;
        }
        return rows;
    }

    /// <inheritdoc />
    public void Dispose() => reader.Dispose();

    private bool MoveNext()
    {
        if (hasPending)
        {
            hasPending = false;
            return true;
        }
        return Next();
    }

    private bool Next()
    {
        try
        {
            return reader.MoveNext();
        }
        catch (Exception e) when (IsReadError(e))
        {
            throw new DataFileException(Path, e.Message, RowsRead, innerException: e);
        }
    }

    /// <summary>A field as float32: empty, NaN or nan is NaN; anything else must be a finite number within float32's range.</summary>
    private float Parse(ReadOnlySpan<char> field, long dataRow, int line, int column)
    {
        if (field.IsEmpty || field.Equals("NaN", StringComparison.OrdinalIgnoreCase)) return float.NaN;
        if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            throw new DataFileException(Path, $"line {line}: '{Echo(field)}' is not a number (expected e.g. 1.5, -2e-3, or an empty field or NaN for a missing value).", dataRow, Columns[column]);
        if (float.IsInfinity(value))
            throw new DataFileException(Path, $"line {line}: '{Echo(field)}' is infinite or beyond float32's range (±3.4e38); scalers and models cannot use it.", dataRow, Columns[column]);
        return value;
    }

    private static string Echo(ReadOnlySpan<char> field) => field.Length <= 40 ? field.ToString() : string.Concat(field[..40], "…");

    private int[] Named(IReadOnlyList<string> wanted, string[] names)
    {
        var result = new int[wanted.Count];
        for (var j = 0; j < wanted.Count; j++)
        {
            result[j] = Array.IndexOf(names, wanted[j]);
            if (result[j] < 0)
                throw new DataFileException(Path, $"it has no column '{wanted[j]}'; its columns are {string.Join(", ", names.Select(n => $"'{n}'"))}.", column: wanted[j]);
        }
        return result;
    }

    /// <summary>The columns whose first data row holds a number or a missing value.</summary>
    private int[] Numeric(string[] names)
    {
        var row = reader.Current;
        var numeric = new List<int>();
        for (var i = 0; i < Math.Min(row.ColCount, names.Length); i++)
        {
            var field = row[i].Span;
            if (field.IsEmpty || float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) numeric.Add(i);
        }
        var result = numeric.ToArray();
        if (result.Length == 0)
            throw new DataFileException(Path, $"no column of its first data row (line {row.LineNumberFrom}) holds a number; its columns are {string.Join(", ", names.Select(n => $"'{n}'"))}.", 0);
        return result;
    }

    private static SeriesCsvOptions Check(SeriesCsvOptions options)
    {
        if (options.Columns is { } columns)
        {
            if (columns.Count == 0) throw new ArgumentException("SeriesCsvOptions.Columns is empty; name at least one column, or leave it null for every numeric column.", nameof(options));
            if (columns.Any(c => c is null)) throw new ArgumentException("SeriesCsvOptions.Columns holds a null name.", nameof(options));
            if (columns.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1) is { } twice)
                throw new ArgumentException($"SeriesCsvOptions.Columns names '{twice.Key}' twice.", nameof(options));
        }
        if (options.Separator is '"' or '\r' or '\n' or ' ') throw BadSeparator(options.Separator, null);
        try
        {
            Sep.New(options.Separator);
        }
        catch (ArgumentException e)
        {
            throw BadSeparator(options.Separator, e);
        }
        return options;
    }

    private static ArgumentException BadSeparator(char separator, Exception? inner) =>
        new($"SeriesCsvOptions.Separator cannot be U+{(int)separator:X4}; use ',', ';', '\\t' or another printable character that is not a quote.", "options", inner);

    private static SepReader OpenSep(string path, SeriesCsvOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        try
        {
            return Sep.New(options.Separator).Reader(o => o with
            {
                HasHeader = options.HasHeader,
                Unescape = true,
                Trim = SepTrim.All,
                DisableColCountCheck = true,        // checked here, so the error names the row and the column
                CultureInfo = CultureInfo.InvariantCulture,
            }).FromFile(path);
        }
        catch (Exception e) when (IsReadError(e))
        {
            throw new DataFileException(path, e.Message, innerException: e);
        }
    }

    private static bool IsReadError(Exception e) =>
        e is InvalidDataException or ArgumentException or FormatException or (IOException and not FileNotFoundException and not DirectoryNotFoundException);
}
