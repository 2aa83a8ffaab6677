using System.Buffers.Binary;
using System.Text;
using static TorchSharp.torch;

namespace SequenceKit.IO;

/// <summary>
/// Reads TorchSharp's binary formats (a module's state dict from <c>Module.save</c>, an optimizer's state from
/// <c>save_state_dict</c>) in managed code, checking every count, dtype code, rank, dimension and byte count against
/// what is expected before libtorch sees a byte. Format (TorchSharp 0.107 source): integers are unsigned LEB128; a
/// tensor is its dtype code, its rank, each dimension, then the raw little-endian elements; strings are .NET
/// <see cref="BinaryReader"/> strings (7-bit-encoded byte length, UTF-8). Every problem is an
/// <see cref="InvalidDataException"/> whose message names the part and the byte offset.
/// </summary>
internal sealed class TorchBinaryReader(byte[] data, string part)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The offset of the next byte to read.</summary>
    public int Position { get; private set; }

    /// <summary>The bytes being read.</summary>
    public byte[] Data => data;

    /// <summary>Throws unless every byte was read.</summary>
    public void ExpectEnd()
    {
        if (Position != data.Length)
            throw Problem($"{data.Length - Position} byte(s) follow the end of the data; expected none");
    }

    /// <summary>An unsigned LEB128 integer no larger than <paramref name="max"/>.</summary>
    public long ReadCount(string what, long max)
    {
        var start = Position;
        long value = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (shift > 56) throw Problem($"{what} is not a valid integer (more than 9 bytes)", start);
            var b = ReadByte(what);
            value |= (long)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) break;
        }
        if (value > max) throw Problem($"{what} is {value}; expected at most {max}", start);
        return value;
    }

    /// <summary>A .NET BinaryReader string of at most <paramref name="maxBytes"/> UTF-8 bytes.</summary>
    public string ReadString(string what, int maxBytes = 1024)
    {
        var start = Position;
        var length = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (shift > 28) throw Problem($"the length of {what} is not a valid 7-bit encoded integer", start);
            var b = ReadByte(what);
            length |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) break;
        }
        if (length < 0 || length > maxBytes) throw Problem($"{what} is {length} bytes long; expected at most {maxBytes}", start);
        var bytes = Take(length, what);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Problem($"{what} is not valid UTF-8", start);
        }
    }

    /// <summary>A little-endian double.</summary>
    public double ReadDouble(string what) => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, what));

    /// <summary>A little-endian 64-bit integer.</summary>
    public long ReadInt64(string what) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, what));

    /// <summary>A boolean written by BinaryWriter: exactly 0 or 1.</summary>
    public bool ReadBoolean(string what)
    {
        var start = Position;
        return ReadByte(what) switch
        {
            0 => false,
            1 => true,
            var other => throw Problem($"{what} is the byte {other}; a boolean is 0 or 1", start),
        };
    }

    /// <summary>
    /// A tensor that must have <paramref name="type"/> and <paramref name="shape"/>: checks its header and that its
    /// data is present, and returns where the data lies.
    /// </summary>
    public (int Offset, int Length) ReadTensor(string what, ScalarType type, long[] shape, int elementSize)
    {
        var start = Position;
        var code = ReadCount($"the dtype code of {what}", int.MaxValue);
        if (code != (long)type) throw Problem($"{what} has dtype code {code}; expected {(int)type} ({type})", start);
        var rank = ReadCount($"the rank of {what}", 64);
        if (rank != shape.Length) throw Problem($"{what} has rank {rank}; expected {shape.Length} (shape [{string.Join(", ", shape)}])", start);
        var seen = new long[rank];
        for (var i = 0; i < rank; i++) seen[i] = ReadCount($"dimension {i} of {what}", long.MaxValue >> 1);
        if (!seen.SequenceEqual(shape))
            throw Problem($"{what} has shape [{string.Join(", ", seen)}]; expected [{string.Join(", ", shape)}]", start);
        long bytes = elementSize;
        foreach (var d in shape) bytes *= d;      // the expected shape comes from a live tensor: no overflow
        if (bytes > data.Length - Position)
            throw Problem($"{what} needs {bytes} bytes of data but only {data.Length - Position} remain", start);
        var offset = Position;
        Position += (int)bytes;
        return (offset, (int)bytes);
    }

    /// <summary>An <see cref="InvalidDataException"/> naming the part and the offset.</summary>
    public InvalidDataException Problem(string message, int? at = null) =>
        new($"{part}, byte {at ?? Position}: {message}.");

    private byte ReadByte(string what)
    {
        if (Position >= data.Length) throw Problem($"the data ends inside {what}");
        return data[Position++];
    }

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (count > data.Length - Position) throw Problem($"the data ends inside {what} ({count} bytes needed, {data.Length - Position} remain)");
        var span = data.AsSpan(Position, count);
        Position += count;
        return span;
    }
}
