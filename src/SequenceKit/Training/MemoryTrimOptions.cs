namespace SequenceKit.Training;

/// <summary>
/// How the trainer keeps resident memory flat on Linux with glibc (elsewhere nothing happens). glibc raises its mmap
/// threshold to the size of each mapped block it frees (up to 32 MiB), so the per-step tensor buffers of a few MiB
/// soon come from a heap that fragments and that glibc does not return: resident memory then climbs by hundreds of MB
/// over the first thousand steps (measured) although every tensor is disposed. <c>malloc_trim(0)</c> returns it, but
/// its cost grows with the heap. So the trainer reads the process's resident memory every <see cref="CheckInterval"/>
/// steps (a few microseconds) and trims only when it grew by <see cref="GrowthBytes"/> since the last trim, and trims
/// may take at most <see cref="MaxTimeShare"/> of the time: a slow trim defers the next one instead of slowing every
/// step. The state is process-wide: several <see cref="Trainer.Fit"/> calls, one after another or at once, share it.
/// </summary>
public sealed record MemoryTrimOptions
{
    /// <summary>Steps between reads of resident memory; at least 1. Default 1.</summary>
    public int CheckInterval { get; init; } = 1;

    /// <summary>
    /// Growth of resident memory not backed by files (resident − shared), in bytes, above the level the last trim left
    /// (or the lowest level seen since) that triggers a trim; at least 1 MiB. Default 8 MiB.
    /// </summary>
    public long GrowthBytes { get; init; } = 8L << 20;

    /// <summary>
    /// Largest share of the time that trims may take: trimming earns this share of the time that passes (up to 0.1 s,
    /// or the last trim's duration, saved up), and a trim that is due waits until the time it earned covers the last trim's duration; in (0, 1].
    /// Growth of 8 × <see cref="GrowthBytes"/> trims whatever the credit, so memory stays bounded when the heap grows
    /// faster than the share allows. Default 0.01.
    /// </summary>
    public double MaxTimeShare { get; init; } = 0.01;

    internal void Check()
    {
        if (CheckInterval < 1) throw new ArgumentOutOfRangeException("options", CheckInterval, $"TrainerOptions.MemoryTrim.CheckInterval must be at least 1 (set TrainerOptions.MemoryTrim to null to never trim); got {CheckInterval}.");
        if (GrowthBytes < 1L << 20) throw new ArgumentOutOfRangeException("options", GrowthBytes, $"TrainerOptions.MemoryTrim.GrowthBytes must be at least 1 MiB (1,048,576); got {GrowthBytes}.");
        if (!(MaxTimeShare > 0 && MaxTimeShare <= 1)) throw new ArgumentOutOfRangeException("options", MaxTimeShare, $"TrainerOptions.MemoryTrim.MaxTimeShare must be in (0, 1]; got {MaxTimeShare}.");
    }
}
