using System.Runtime.InteropServices;
using SequenceKit.IO;

namespace SequenceKit.Data;

/// <summary>
/// Long multivariate series stored in files: CSV (read with Sep, streamed) and Apache Arrow IPC. Each reader returns
/// the series as a float32 (time, features) matrix that every SequenceKit method taking a <see cref="NumericArray"/>
/// accepts: <c>TimeSeriesWindows.Create</c>/<c>CreateDataset</c> for training, a scaler's <c>Fit</c>. A CSV larger
/// than memory goes through <see cref="CsvToNpy"/> into a NumPy file that is memory-mapped instead, and
/// <see cref="ReadCsvChunks"/> feeds a scaler's <c>PartialFit</c> chunk by chunk. Every problem in a file is a
/// <see cref="DataFileException"/> naming the file, the data row (from 0, the header not counted) and the column.
/// </summary>
public static class SeriesFile
{
    /// <summary>The default number of rows per chunk of <see cref="ReadCsvChunks"/>.</summary>
    public const int DefaultRowsPerChunk = 65_536;

    /// <summary>
    /// Reads the chosen columns of a CSV series into a (rows, columns) float32 matrix. The file is read twice, once to
    /// count its rows and once to convert them, so memory besides the result is one buffer of text.
    /// </summary>
    /// <param name="path">The CSV file: one row per time step, oldest first.</param>
    /// <param name="options">Columns, header and separator; null for the defaults (a header, ',', every numeric column).</param>
    /// <returns>The series, (time, features), features in the order of <see cref="SeriesCsvOptions.Columns"/> (or of the file).</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFileException">The file is empty, lacks a named column, has a row with too few or too many fields, or a value that is not a finite float32 number.</exception>
    /// <exception cref="ArgumentException">The options are invalid (an empty or repeated column list, a quote or newline as separator).</exception>
    public static float[,] ReadCsv(string path, SeriesCsvOptions? options = null)
    {
        var rows = CsvSeriesReader.CountRows(path, options);
        using var reader = CsvSeriesReader.Open(path, options);
        var width = reader.Columns.Count;
        if (rows * width > Array.MaxLength)
            throw new DataFileException(path, $"its {rows} rows × {width} columns are more values than one array holds ({Array.MaxLength}); convert it with SeriesFile.CsvToNpy and train from the memory-mapped file.");
        var result = new float[rows, width];
        var read = reader.Read(NumericArray.Elements<float>(result));
        if (read != rows || reader.Read(new float[width]) != 0)
            throw new DataFileException(path, $"it changed while it was read: {rows} rows were counted, then {(read != rows ? read.ToString(System.Globalization.CultureInfo.InvariantCulture) : "more")} read.");
        return result;
    }

    /// <summary>The names of the columns <see cref="ReadCsv"/> would read with these options, in feature order.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="options">As for <see cref="ReadCsv"/>.</param>
    /// <returns>The column names (positions as text when the file has no header).</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFileException">The file is empty or lacks a named column.</exception>
    public static IReadOnlyList<string> ReadCsvColumns(string path, SeriesCsvOptions? options = null)
    {
        using var reader = CsvSeriesReader.Open(path, options);
        return reader.Columns;
    }

    /// <summary>
    /// Reads a CSV series in chunks of <paramref name="rowsPerChunk"/> rows (the last may be shorter), each a new
    /// (rows, columns) float32 matrix, streaming the file: e.g. <c>foreach (var chunk in SeriesFile.ReadCsvChunks(path))
    /// scaler.PartialFit(chunk);</c> fits a scaler on a series that does not fit in memory, with the same result as one
    /// <c>Fit</c> on the whole. The file is opened when the enumeration starts and closed when it ends.
    /// </summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="options">As for <see cref="ReadCsv"/>.</param>
    /// <param name="rowsPerChunk">Rows per chunk; default <see cref="DefaultRowsPerChunk"/>.</param>
    /// <returns>The chunks, in file order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rowsPerChunk"/> is not positive (thrown at once).</exception>
    /// <exception cref="DataFileException">As for <see cref="ReadCsv"/>, when the enumeration reaches the problem.</exception>
    public static IEnumerable<float[,]> ReadCsvChunks(string path, SeriesCsvOptions? options = null, int rowsPerChunk = DefaultRowsPerChunk)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowsPerChunk);
        return Chunks(path, options, rowsPerChunk);

        static IEnumerable<float[,]> Chunks(string path, SeriesCsvOptions? options, int rowsPerChunk)
        {
            using var reader = CsvSeriesReader.Open(path, options);
            var width = reader.Columns.Count;
            var buffer = new float[checked(rowsPerChunk * width)];
            int read;
            while ((read = reader.Read(buffer)) > 0)
            {
                var chunk = new float[read, width];
                buffer.AsSpan(0, read * width).CopyTo(NumericArray.Elements<float>(chunk));
                yield return chunk;
            }
        }
    }

    /// <summary>
    /// Converts a CSV series into a NumPy <c>.npy</c> file (float32, C order, shape (rows, columns)), streaming it
    /// chunk by chunk, so a CSV larger than memory can be trained from: memory-map the result with
    /// <c>SequenceDataset.FromNpy</c> (for windows prepared elsewhere) or read it with <c>numpy.load</c>. The file is
    /// written atomically (a temporary file, then a rename), so a failed conversion leaves no partial file.
    /// </summary>
    /// <param name="csvPath">The CSV file.</param>
    /// <param name="npyPath">The .npy file to write (replaced if it exists).</param>
    /// <param name="options">As for <see cref="ReadCsv"/>.</param>
    /// <returns>The number of rows written.</returns>
    /// <exception cref="FileNotFoundException">The CSV file does not exist.</exception>
    /// <exception cref="DataFileException">As for <see cref="ReadCsv"/>; nothing is written then.</exception>
    public static long CsvToNpy(string csvPath, string npyPath, SeriesCsvOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(npyPath);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException(".npy files are written little-endian; this machine is big-endian.");
        using var reader = CsvSeriesReader.Open(csvPath, options);
        var width = reader.Columns.Count;
        var buffer = new float[checked(DefaultRowsPerChunk * width)];
        AtomicFile.Write(npyPath, stream =>
        {
            NpyFile.WriteHeader(stream, "<f4", 0, width);                                  // rewritten with the row count at the end
            int read;
            while ((read = reader.Read(buffer)) > 0) stream.Write(MemoryMarshal.AsBytes(buffer.AsSpan(0, read * width)));
            stream.Position = 0;
            NpyFile.WriteHeader(stream, "<f4", reader.RowsRead, width);
            stream.Position = stream.Length;
        });
        return reader.RowsRead;
    }

    /// <summary>
    /// Reads numeric columns of an Apache Arrow IPC file (the file format, <c>.arrow</c>/Feather v2, or the stream
    /// format) into a (rows, columns) float32 matrix, record batch by record batch: e.g. a log written by pyarrow
    /// (<c>pyarrow.feather.write_feather(table, path, compression="uncompressed")</c>) or by Polars/pandas. Integers and
    /// float64 are converted to float32; nulls become NaN. Memory: the result plus one converted copy of it while the
    /// batches are joined.
    /// </summary>
    /// <param name="path">The Arrow IPC file.</param>
    /// <param name="options">The columns; null for every numeric column.</param>
    /// <returns>The series, (time, features), features in the order of <see cref="SeriesArrowOptions.Columns"/> (or of the schema).</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFileException">The file is not Arrow IPC (or is compressed or damaged), has no rows, lacks a named column, a named column is not numeric, or a value is infinite or beyond float32's range.</exception>
    /// <exception cref="ArgumentException">The options name no column or one twice.</exception>
    public static float[,] ReadArrow(string path, SeriesArrowOptions? options = null) => ArrowSeriesReader.Read(path, options ?? new SeriesArrowOptions());
}
