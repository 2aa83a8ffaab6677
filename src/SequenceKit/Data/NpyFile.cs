using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SequenceKit.IO;
using static TorchSharp.torch;

namespace SequenceKit.Data;

/// <summary>
/// NumPy's <c>.npy</c> format (versions 1–3): a magic string, a header (a Python dict literal with <c>descr</c>,
/// <c>fortran_order</c> and <c>shape</c>) and the raw values. <see cref="Map"/> memory-maps the values as a tensor
/// without reading them: pages are read from the file when a batch touches them and can be dropped again by the
/// operating system.
/// </summary>
internal static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>What the header says.</summary>
    public sealed record Header(ScalarType Type, int ItemSize, long[] Shape, long DataOffset)
    {
        /// <summary>The number of values.</summary>
        public long Elements => Shape.Aggregate(1L, (a, b) => a * b);
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex Descr();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranOrder();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapeEntry();

    /// <summary>Reads and checks the header: the type is one of float32, float64, int32, int64 (little-endian), C order, and the file holds exactly the values the shape needs.</summary>
    public static Header ReadHeader(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] prefix;
        long fileLength;
        try
        {
            using var file = SafeFile.OpenRead(path);
            fileLength = file.Length;
            var start = new byte[12];
            var read = file.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
            if (read < 10 || !start.AsSpan(0, 6).SequenceEqual(Magic))
                throw new DataFileException(path, "it is not a NumPy .npy file (the first bytes are not \\x93NUMPY).");
            var major = start[6];
            if (major is < 1 or > 3) throw new DataFileException(path, $".npy format version {major}.{start[7]} is not supported; versions 1 to 3 are.");
            var headerLength = major == 1 ? BitConverter.ToUInt16(start, 8) : (long)BitConverter.ToUInt32(start, 8);
            var headerStart = major == 1 ? 10 : 12;
            if (headerLength > 1 << 20 || headerStart + headerLength > fileLength)
                throw new DataFileException(path, $"its header claims {headerLength} bytes, more than the file or the 1 MiB a header may have.");
            prefix = new byte[headerStart + headerLength];
            file.Position = 0;
            file.ReadExactly(prefix);
        }
        catch (Exception e) when (e is InvalidDataException or (IOException and not FileNotFoundException))
        {
            throw new DataFileException(path, e.Message, innerException: e);
        }
        var text = (prefix[6] == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(prefix, prefix[6] == 1 ? 10 : 12, prefix.Length - (prefix[6] == 1 ? 10 : 12));
        var descr = Descr().Match(text) is { Success: true } d ? d.Groups[1].Value : throw new DataFileException(path, $"its header has no 'descr': {text.Trim()}");
        var (type, itemSize) = descr switch
        {
            "<f4" => (ScalarType.Float32, 4),
            "<f8" => (ScalarType.Float64, 8),
            "<i4" => (ScalarType.Int32, 4),
            "<i8" => (ScalarType.Int64, 8),
            _ => throw new DataFileException(path, $"its values are '{descr}'; expected little-endian float32 ('<f4'), float64 ('<f8'), int32 ('<i4') or int64 ('<i8'). Convert with numpy: a.astype('float32')."),
        };
        if (FortranOrder().Match(text) is not { Success: true } order) throw new DataFileException(path, $"its header has no 'fortran_order': {text.Trim()}");
        if (order.Groups[1].Value == "True") throw new DataFileException(path, "it is stored in Fortran (column-major) order; save it in C order: numpy.save(path, numpy.ascontiguousarray(a)).");
        if (ShapeEntry().Match(text) is not { Success: true } shapeMatch) throw new DataFileException(path, $"its header has no 'shape': {text.Trim()}");
        var shape = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(p => long.TryParse(p.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
                : throw new DataFileException(path, $"its shape ({shapeMatch.Groups[1].Value}) is not a tuple of whole numbers.")).ToArray();
        if (shape.Length == 0) throw new DataFileException(path, "it holds a single value (shape ()); expected an array with one row per sample.");
        var elements = (Int128)1;
        foreach (var n in shape) elements *= n;
        var needed = elements * itemSize;
        var held = fileLength - prefix.Length;
        if (needed != held)
            throw new DataFileException(path, $"shape ({string.Join(", ", shape)}) of {descr} needs {needed} bytes of values, but the file holds {held}; it is truncated or not what its header says.");
        if (prefix.Length % itemSize != 0)
            throw new DataFileException(path, $"its values start at byte {prefix.Length}, not a multiple of {itemSize}; rewrite it with numpy.save.");
        return new Header(type, itemSize, shape, prefix.Length);
    }

    /// <summary>
    /// The values as a tensor of the header's shape and type, memory-mapped from the file (read-only; writes stay
    /// private), with the kernel told to expect random reads (<see cref="MemoryAdvice"/>).
    /// </summary>
    public static Tensor Map(string path, Header header)
    {
        if (header.Elements == 0) throw new DataFileException(path, $"it holds no rows (shape ({string.Join(", ", header.Shape)})).");
        using var scope = NewDisposeScope();
        var all = from_file(path, shared: false, size: header.DataOffset / header.ItemSize + header.Elements, dtype: header.Type);
        MemoryAdvice.Random(all);               // batches read shuffled rows; sequential passes ask for their chunks ahead
        return all.narrow(0, header.DataOffset / header.ItemSize, header.Elements).reshape(header.Shape).MoveToOuterDisposeScope();
    }

    /// <summary>The length of the header <see cref="WriteHeader"/> writes: room for any shape of up to three 64-bit sizes.</summary>
    public const int HeaderLength = 128;

    /// <summary>
    /// Writes a version 1.0 header for a C-order array of the given type (e.g. <c>"&lt;f4"</c>, <c>"&lt;i8"</c>) and
    /// shape, padded with spaces to <see cref="HeaderLength"/> bytes (a multiple of 64, as NumPy aligns), so it can be
    /// rewritten in place once the row count is known.
    /// </summary>
    public static void WriteHeader(Stream stream, string descr, params long[] shape)
    {
        var dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}";
        if (dict.Length > HeaderLength - 10 - 1) throw new ArgumentException($"The .npy header {dict} is longer than {HeaderLength - 11} characters.", nameof(shape));
        var header = dict.PadRight(HeaderLength - 10 - 1) + "\n";                              // magic (6) + version (2) + length (2)
        stream.Write(Magic);
        stream.Write([1, 0]);
        stream.Write(BitConverter.GetBytes((ushort)header.Length));
        stream.Write(Encoding.ASCII.GetBytes(header));
    }
}
