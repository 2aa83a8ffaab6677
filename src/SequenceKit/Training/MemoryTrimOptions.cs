namespace SequenceKit.Training;

/// <summary>
/// How the trainer keeps resident memory flat on Linux with glibc (elsewhere nothing happens). Once glibc has freed
/// one large block, it raises its own thresholds, so later tensor buffers of up to 32 MiB come from a heap that it
/// neither unmaps nor trims: resident memory then climbs by about a gigabyte over the first thousand steps (measured)
/// although every tensor is disposed. Two remedies, both on by default:
/// <list type="bullet">
/// <item><see cref="SetAllocatorThresholds"/>: the first <see cref="Trainer.Fit"/> fixes glibc's thresholds
/// (<c>mallopt</c>), so blocks of 4 MiB and more are unmapped when freed and the heap's free top is returned beyond 32 MiB.</item>
/// <item>Trimming on growth: the trainer reads the process's resident memory every <see cref="CheckInterval"/> steps
/// (a few microseconds) and calls <c>malloc_trim(0)</c> only when it grew by <see cref="GrowthBytes"/> since the last
/// trim; trims may take at most <see cref="MaxTimeShare"/> of the time, so a trim that is slow in a large process
/// defers the next one instead of slowing every step.</item>
/// </list>
/// The state is process-wide: several <see cref="Trainer.Fit"/> calls, one after another or at once, share it.
/// </summary>
public sealed record MemoryTrimOptions
{
    /// <summary>Steps between reads of resident memory; at least 1. Default 1.</summary>
    public int CheckInterval { get; init; } = 1;

    /// <summary>
    /// Growth of resident memory, in bytes, above the level the last trim left (or the lowest level seen since) that
    /// triggers a trim; at least 1 MiB. Default 16 MiB.
    /// </summary>
    public long GrowthBytes { get; init; } = 16L << 20;

    /// <summary>
    /// Largest share of the time that trims may take: trimming earns this share of the time that passes (up to 0.1 s,
    /// or the last trim's duration, saved up), and a trim that is due waits until the time it earned covers the last trim's duration; in (0, 1].
    /// Default 0.01.
    /// </summary>
    public double MaxTimeShare { get; init; } = 0.01;

    /// <summary>
    /// Whether the first <see cref="Trainer.Fit"/> that runs with these options sets glibc's mmap threshold to 4 MiB
    /// and its trim threshold to 32 MiB (<c>mallopt</c>, process-wide, once). Skipped when the process already chose
    /// them (<c>GLIBC_TUNABLES</c> naming <c>glibc.malloc.</c>, or <c>MALLOC_MMAP_THRESHOLD_</c> /
    /// <c>MALLOC_TRIM_THRESHOLD_</c> in the environment). Default true.
    /// </summary>
    public bool SetAllocatorThresholds { get; init; } = true;

    internal void Check()
    {
        if (CheckInterval < 1) throw new ArgumentOutOfRangeException(nameof(CheckInterval), CheckInterval, $"MemoryTrimOptions.CheckInterval must be at least 1 (set TrainerOptions.MemoryTrim to null to never trim); got {CheckInterval}.");
        if (GrowthBytes < 1L << 20) throw new ArgumentOutOfRangeException(nameof(GrowthBytes), GrowthBytes, $"MemoryTrimOptions.GrowthBytes must be at least 1 MiB (1,048,576); got {GrowthBytes}.");
        if (!(MaxTimeShare > 0 && MaxTimeShare <= 1)) throw new ArgumentOutOfRangeException(nameof(MaxTimeShare), MaxTimeShare, $"MemoryTrimOptions.MaxTimeShare must be in (0, 1]; got {MaxTimeShare}.");
    }
}
