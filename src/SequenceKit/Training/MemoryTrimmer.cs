using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace SequenceKit.Training;

/// <summary>
/// Process-wide policy of <see cref="MemoryTrimOptions"/>: reads resident memory from <c>/proc/self/statm</c> (kept
/// open) and calls <c>malloc_trim(0)</c> only when it grew and the time it earned covers the last trim's duration. A
/// no-op off Linux or on a libc without <c>malloc_trim</c> (musl).
/// </summary>
internal static class MemoryTrimmer
{
    private static readonly object Gate = new();
    private static bool unavailable = !OperatingSystem.IsLinux();
    private static SafeFileHandle? statm;
    private static readonly TrimPolicy Policy = new(Stopwatch.Frequency);
    private static long steps, trims;
    private static TimeSpan trimTime;

    /// <summary>Trims and the time spent trimming since the process started (for benchmarks and tests).</summary>
    public static (long Trims, TimeSpan Time) Statistics
    {
        get { lock (Gate) return (trims, trimTime); }
    }

    /// <summary>Counts a training step process-wide and applies the trimming policy every <see cref="MemoryTrimOptions.CheckInterval"/> steps.</summary>
    public static void CountStep(MemoryTrimOptions? options)
    {
        if (options is null || unavailable) return;
        if (Interlocked.Increment(ref steps) % options.CheckInterval != 0) return;
        lock (Gate)
        {
            var now = Stopwatch.GetTimestamp();
            if (!Policy.Due(AnonymousBytes(), now, options) || !Trim()) return;
            var end = Stopwatch.GetTimestamp();
            Policy.Trimmed(now, end, AnonymousBytes());
            trims++;
            trimTime += Stopwatch.GetElapsedTime(now, end);
        }
    }

    /// <summary>Returns freed native memory to the system now; false where that is not possible.</summary>
    public static bool Trim()
    {
        if (unavailable) return false;
        try
        {
            malloc_trim(0);
            return true;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            unavailable = true;
            return false;
        }
    }

    /// <summary>Resident memory of this process in bytes (second field of <c>/proc/self/statm</c> × page size); 0 when unreadable.</summary>
    internal static long ResidentBytes() => Statm().Resident;

    /// <summary>
    /// Resident memory that is not backed by files (resident − shared in <c>/proc/self/statm</c>): what a trim can give
    /// back. Pages of memory-mapped data files and libraries are left out; 0 when unreadable.
    /// </summary>
    internal static long AnonymousBytes()
    {
        var (resident, shared) = Statm();
        return Math.Max(0, resident - shared);
    }

    private static (long Resident, long Shared) Statm()
    {
        try
        {
            statm ??= File.OpenHandle("/proc/self/statm");
            Span<byte> buffer = stackalloc byte[128];
            var length = RandomAccess.Read(statm, buffer, 0);
            Span<long> fields = stackalloc long[3];
            var field = 0;
            for (var i = 0; i < length && field < 3; i++)
            {
                var c = buffer[i];
                if (c == (byte)' ') field++;
                else if (c is >= (byte)'0' and <= (byte)'9') fields[field] = fields[field] * 10 + (c - (byte)'0');
            }
            return (fields[1] * Environment.SystemPageSize, fields[2] * Environment.SystemPageSize);
        }
        catch (IOException)
        {
            unavailable = true;
            return (0, 0);
        }
        catch (UnauthorizedAccessException)
        {
            unavailable = true;
            return (0, 0);
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int malloc_trim(nuint pad);
}

/// <summary>
/// The decision of <see cref="MemoryTrimmer"/>, apart from the clock and the system so that it can be tested: a trim is
/// due when resident memory is <see cref="MemoryTrimOptions.GrowthBytes"/> above the floor (the level the last trim
/// left, or the lowest seen since) and the time credit (earned at <see cref="MemoryTrimOptions.MaxTimeShare"/> of the
/// time that passes, at most 0.1 s or the last trim's duration saved up) covers the last trim's duration, or when it is
/// <see cref="HardGrowthFactor"/> × <see cref="MemoryTrimOptions.GrowthBytes"/> above the floor whatever the credit.
/// </summary>
/// <param name="ticksPerSecond">Clock ticks per second (<see cref="Stopwatch.Frequency"/>).</param>
internal sealed class TrimPolicy(long ticksPerSecond)
{
    /// <summary>Growth, in multiples of <see cref="MemoryTrimOptions.GrowthBytes"/>, that trims even when the time share is spent.</summary>
    public const int HardGrowthFactor = 8;

    private readonly long maxCredit = ticksPerSecond / 10;
    private long floor, lastCheck, lastTrimTicks;
    private double credit = ticksPerSecond / 10;

    /// <summary>The resident level the next trim is measured against, in bytes (0 before the first check).</summary>
    public long Floor => floor;

    /// <summary>Whether to trim now, given the resident memory and the clock at this check.</summary>
    public bool Due(long resident, long now, MemoryTrimOptions options)
    {
        // Saved-up credit is capped, but never below what the last trim took, so a slow trim defers the next one and never stops trimming.
        if (lastCheck != 0) credit = Math.Min(Math.Max(maxCredit, lastTrimTicks), credit + (now - lastCheck) * options.MaxTimeShare);
        lastCheck = now;
        if (resident <= 0) return false;
        if (floor == 0 || resident < floor) floor = resident;
        var growth = resident - floor;
        return growth >= options.GrowthBytes && (credit >= lastTrimTicks || growth >= options.GrowthBytes * HardGrowthFactor);
    }

    /// <summary>Records a trim that ran from <paramref name="start"/> to <paramref name="end"/> and left <paramref name="residentAfter"/> bytes resident.</summary>
    public void Trimmed(long start, long end, long residentAfter)
    {
        lastTrimTicks = end - start;
        credit = Math.Max(credit - lastTrimTicks, -Math.Max(maxCredit, lastTrimTicks));   // forced trims do not bury later ones
        lastCheck = end;
        if (residentAfter > 0) floor = residentAfter;
    }
}
