using static TorchSharp.torch;

namespace SequenceKit.Data;

/// <summary>
/// Rows per chunk so that one chunk holds about <see cref="ChunkElements"/> values: checks and scalers read big data (a
/// memory-mapped file, windows that are a strided view of a series) a chunk at a time, so no temporary of the whole
/// data's size (a float64 copy, a mask) is ever allocated.
/// </summary>
internal static class TensorChunks
{
    /// <summary>About 4 million values per chunk.</summary>
    public const long ChunkElements = 1L << 22;

    /// <summary>Rows of <paramref name="values"/> (first dimension) that hold about <see cref="ChunkElements"/> values; at least 1.</summary>
    public static long RowsPerChunk(Tensor values) => Math.Max(1, ChunkElements / Math.Max(1, values.numel() / Math.Max(1, values.shape[0])));
}
