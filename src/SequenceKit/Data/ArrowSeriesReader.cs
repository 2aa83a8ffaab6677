using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using SequenceKit.IO;

namespace SequenceKit.Data;

/// <summary>
/// Reads numeric columns of an Apache Arrow IPC file (file or stream format) with Apache.Arrow, batch by batch, into
/// float32 rows. Errors are <see cref="DataFileException"/>s naming the file, the row (from 0, across batches) and the
/// column.
/// </summary>
internal static class ArrowSeriesReader
{
    private static readonly byte[] FileMagic = "ARROW1"u8.ToArray();

    public static float[,] Read(string path, SeriesArrowOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (options.Columns is { } wanted)
        {
            if (wanted.Count == 0) throw new ArgumentException("SeriesArrowOptions.Columns is empty; name at least one column, or leave it null for every numeric column.", nameof(options));
            if (wanted.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1) is { } twice)
                throw new ArgumentException($"SeriesArrowOptions.Columns names '{twice.Key}' twice.", nameof(options));
        }
        using var stream = SafeFile.OpenRead(path);
        var start = new byte[FileMagic.Length];
        var isFile = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false) == start.Length && start.AsSpan().SequenceEqual(FileMagic);
        stream.Position = 0;
        var blocks = new List<float[]>();
        long rows = 0;
        int[]? indices = null;
        string[] names = [];
        try
        {
            using ArrowStreamReader reader = isFile ? new ArrowFileReader(stream, leaveOpen: true) : new ArrowStreamReader(stream, leaveOpen: true);
            while (reader.ReadNextRecordBatch() is { } batch)
            {
                using (batch)
                {
                    if (indices is null) (indices, names) = Choose(path, batch.Schema, options.Columns);
                    var block = new float[checked(batch.Length * indices.Length)];
                    for (var j = 0; j < indices.Length; j++) Convert(path, batch.Column(indices[j]), block, j, indices.Length, rows, names[j]);
                    blocks.Add(block);
                    rows += batch.Length;
                }
            }
            if (indices is null && reader.Schema is { } schema) Choose(path, schema, options.Columns);     // a missing column is named even when there are no rows
        }
        catch (Exception e) when (e is not (DataFileException or OutOfMemoryException or FileNotFoundException))
        {
            throw new DataFileException(path,
                $"it is not a readable Arrow IPC file ({e.GetType().Name}: {e.Message}). SeriesFile.ReadArrow reads uncompressed Arrow IPC files and streams " +
                "(pyarrow: feather.write_feather(table, path, compression=\"uncompressed\")).", innerException: e);
        }
        if (rows == 0 || indices is null) throw new DataFileException(path, "it holds no rows.");
        if (rows * indices.Length > System.Array.MaxLength)
            throw new DataFileException(path, $"its {rows} rows × {indices.Length} columns are more values than one array holds ({System.Array.MaxLength}).");
        var result = new float[rows, indices.Length];
        var target = NumericArray.Elements<float>(result);
        var offset = 0;
        foreach (var block in blocks)
        {
            block.CopyTo(target[offset..]);
            offset += block.Length;
        }
        return result;
    }

    /// <summary>The named columns (each numeric), or every numeric column.</summary>
    private static (int[] Indices, string[] Names) Choose(string path, Schema schema, IReadOnlyList<string>? wanted)
    {
        var fields = schema.FieldsList;
        if (wanted is null)
        {
            var numeric = Enumerable.Range(0, fields.Count).Where(i => IsNumeric(fields[i].DataType)).ToArray();
            if (numeric.Length == 0)
                throw new DataFileException(path, $"it has no numeric column; its columns are {Describe(fields)}.");
            return (numeric, numeric.Select(i => fields[i].Name).ToArray());
        }
        var indices = new int[wanted.Count];
        for (var j = 0; j < wanted.Count; j++)
        {
            indices[j] = schema.GetFieldIndex(wanted[j]);
            if (indices[j] < 0) throw new DataFileException(path, $"it has no column '{wanted[j]}'; its columns are {Describe(fields)}.", column: wanted[j]);
            if (!IsNumeric(fields[indices[j]].DataType))
                throw new DataFileException(path, $"column '{wanted[j]}' holds {fields[indices[j]].DataType.Name}, not numbers.", column: wanted[j]);
        }
        return (indices, wanted.ToArray());
    }

    private static string Describe(IReadOnlyList<Field> fields) => string.Join(", ", fields.Select(f => $"'{f.Name}' ({f.DataType.Name})"));

    private static bool IsNumeric(IArrowType type) => type.TypeId is ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.Int32 or ArrowTypeId.Int64
        or ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32 or ArrowTypeId.UInt64 or ArrowTypeId.HalfFloat or ArrowTypeId.Float or ArrowTypeId.Double;

    /// <summary>Writes one column into every <paramref name="stride"/>-th element of <paramref name="block"/> from <paramref name="column"/>.</summary>
    private static void Convert(string path, IArrowArray column, float[] block, int column0, int stride, long firstRow, string name)
    {
        for (var i = 0; i < column.Length; i++)
        {
            double? value = column switch
            {
                FloatArray a => a.GetValue(i),
                DoubleArray a => a.GetValue(i),
                HalfFloatArray a => (double?)a.GetValue(i),
                Int8Array a => a.GetValue(i),
                Int16Array a => a.GetValue(i),
                Int32Array a => a.GetValue(i),
                Int64Array a => a.GetValue(i),
                UInt8Array a => a.GetValue(i),
                UInt16Array a => a.GetValue(i),
                UInt32Array a => a.GetValue(i),
                UInt64Array a => a.GetValue(i),
                _ => throw new DataFileException(path, $"column '{name}' holds {column.Data.DataType.Name}, not numbers.", firstRow + i, name),
            };
            var single = value is { } v ? (float)v : float.NaN;                                  // null → NaN
            if (float.IsInfinity(single))
                throw new DataFileException(path, $"the value {value} is infinite or beyond float32's range (±3.4e38); scalers and models cannot use it.", firstRow + i, name);
            block[i * stride + column0] = single;
        }
    }
}
