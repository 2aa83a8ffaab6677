using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using static TorchSharp.torch;

namespace SequenceKit.Data;

/// <summary>
/// Reads a batch's rows of a <c>.npy</c> file with positioned reads (<c>pread</c>) instead of through the memory
/// mapping, and asks the kernel to read upcoming rows ahead (<c>posix_fadvise(WILLNEED)</c>, which the trainer calls a
/// couple of batches early). Measured on a 4 GB file under a 1 GB memory limit, training LSTM(16) on shuffled batches
/// of 64 rows of 4,000 bytes: 27.3 ms per batch gathering from the mapping, 21.5 ms with the mapping's rows advised
/// ahead, 13.6–15.8 ms this way. Reading 16 rows at once (a thread pool loop) or with O_DIRECT did not help there.
/// The values are the file's bytes, so batches are bit-identical to those gathered from the mapping.
/// </summary>
internal sealed class NpyRowReader : IDisposable
{
    private const int FadviseWillNeed = 3;
    private readonly SafeFileHandle file;
    private readonly string path;
    private readonly long dataOffset, rowBytes;
    private readonly long[] rowShape;
    private readonly ScalarType type;
    private bool adviceUnavailable = !OperatingSystem.IsLinux();

    public NpyRowReader(string path, NpyFile.Header header)
    {
        this.path = path;
        file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        dataOffset = header.DataOffset;
        rowShape = header.Shape[1..];
        rowBytes = rowShape.Aggregate(1L, (a, b) => a * b) * header.ItemSize;
        type = header.Type;
    }

    /// <summary>Asks the kernel to start reading rows <paramref name="first"/> … <paramref name="first"/> + <paramref name="count"/> into its cache; a hint only.</summary>
    public void WillNeed(long first, long count)
    {
        if (adviceUnavailable || rowBytes == 0) return;
        try
        {
            posix_fadvise((int)file.DangerousGetHandle(), dataOffset + first * rowBytes, count * rowBytes, FadviseWillNeed);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            adviceUnavailable = true;
        }
    }

    /// <summary>The rows, in the given order, as a (rows, …) tensor of the file's type on the CPU. Rows must be in range.</summary>
    public Tensor Read(long[] rows)
    {
        if (rowBytes > Array.MaxLength) throw new DataFileException(path, $"one row holds {rowBytes:N0} bytes, more than a batch can be read through ({Array.MaxLength:N0}).");
        var batch = empty([rows.Length, .. rowShape], type, device: CPU);
        try
        {
            var target = NativeTensor.DataPointer(batch);
            var row = GC.AllocateUninitializedArray<byte>((int)rowBytes);
            for (var i = 0; i < rows.Length; i++)
            {
                var destination = row.AsSpan();
                var position = dataOffset + rows[i] * rowBytes;
                while (!destination.IsEmpty)
                {
                    var read = RandomAccess.Read(file, destination, position);
                    if (read == 0) throw new DataFileException(path, $"it ended while row {rows[i]} was read; it was changed or truncated after it was opened.", row: rows[i]);
                    destination = destination[read..];
                    position += read;
                }
                if (rowBytes > 0) Marshal.Copy(row, 0, target + (nint)(i * rowBytes), (int)rowBytes);
            }
            return batch;
        }
        catch
        {
            batch.Dispose();
            throw;
        }
    }

    public void Dispose() => file.Dispose();

    [DllImport("libc")]
    private static extern int posix_fadvise(int fd, long offset, long length, int advice);
}
