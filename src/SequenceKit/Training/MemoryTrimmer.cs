using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace SequenceKit.Training;

/// <summary>
/// Process-wide policy of <see cref="MemoryTrimOptions"/>: fixes glibc's thresholds once, reads resident memory from
/// <c>/proc/self/statm</c> (kept open) and calls <c>malloc_trim(0)</c> only when it grew and the time it earned covers
/// the last trim's duration. A no-op off Linux or on a libc without these functions (musl).
/// </summary>
internal static class MemoryTrimmer
{
    private const int MmapThreshold = 4 << 20, TrimThreshold = 32 << 20;
    private const int M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3;
    private static readonly object Gate = new();
    private static bool unavailable = !OperatingSystem.IsLinux();
    private static bool thresholdsDecided;
    private static SafeFileHandle? statm;
    private static readonly TrimPolicy Policy = new(Stopwatch.Frequency);
    private static long steps, trims;
    private static TimeSpan trimTime;

    /// <summary>Trims and the time spent trimming since the process started, and whether this process set glibc's thresholds (for benchmarks and tests).</summary>
    public static (long Trims, TimeSpan Time, bool ThresholdsSet) Statistics
    {
        get { lock (Gate) return (trims, trimTime, ThresholdsSet); }
    }

    private static bool ThresholdsSet { get; set; }

    /// <summary>Called when a <c>Fit</c> starts: sets glibc's thresholds once if the options ask for it and the process has not chosen its own.</summary>
    public static void Prepare(MemoryTrimOptions? options)
    {
        if (options is not { SetAllocatorThresholds: true } || unavailable) return;
        lock (Gate)
        {
            if (thresholdsDecided) return;
            thresholdsDecided = true;
            if ((Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "").Contains("glibc.malloc.", StringComparison.Ordinal)
                || Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null
                || Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_") is not null) return;
            try
            {
                ThresholdsSet = mallopt(M_MMAP_THRESHOLD, MmapThreshold) == 1 & mallopt(M_TRIM_THRESHOLD, TrimThreshold) == 1;
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                unavailable = true;
            }
        }
    }

    /// <summary>Counts a training step process-wide and applies the trimming policy every <see cref="MemoryTrimOptions.CheckInterval"/> steps.</summary>
    public static void CountStep(MemoryTrimOptions? options)
    {
        if (options is null || unavailable) return;
        if (Interlocked.Increment(ref steps) % options.CheckInterval != 0) return;
        lock (Gate)
        {
            var now = Stopwatch.GetTimestamp();
            if (!Policy.Due(ResidentBytes(), now, options) || !Trim()) return;
            var end = Stopwatch.GetTimestamp();
            Policy.Trimmed(now, end, ResidentBytes());
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
    internal static long ResidentBytes()
    {
        try
        {
            statm ??= File.OpenHandle("/proc/self/statm");
            Span<byte> buffer = stackalloc byte[128];
            var length = RandomAccess.Read(statm, buffer, 0);
            var field = 0;
            long value = 0;
            for (var i = 0; i < length; i++)
            {
                var c = buffer[i];
                if (c == (byte)' ')
                {
                    if (field == 1) break;
                    field++;
                    continue;
                }
                if (field == 1) value = value * 10 + (c - (byte)'0');
            }
            return value * Environment.SystemPageSize;
        }
        catch (IOException)
        {
            unavailable = true;
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            unavailable = true;
            return 0;
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int malloc_trim(nuint pad);

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int parameter, int value);
}

/// <summary>
/// The decision of <see cref="MemoryTrimmer"/>, apart from the clock and the system so that it can be tested: a trim is
/// due when resident memory is <see cref="MemoryTrimOptions.GrowthBytes"/> above the floor (the level the last trim
/// left, or the lowest seen since) and the time credit (earned at <see cref="MemoryTrimOptions.MaxTimeShare"/> of the
/// time that passes, at most 0.1 s or the last trim's duration saved up) covers the last trim's duration.
/// </summary>
/// <param name="ticksPerSecond">Clock ticks per second (<see cref="Stopwatch.Frequency"/>).</param>
internal sealed class TrimPolicy(long ticksPerSecond)
{
    private readonly long maxCredit = ticksPerSecond / 10;
    private long floor, lastCheck, lastTrimTicks, credit = ticksPerSecond / 10;

    /// <summary>The resident level the next trim is measured against, in bytes (0 before the first check).</summary>
    public long Floor => floor;

    /// <summary>Whether to trim now, given the resident memory and the clock at this check.</summary>
    public bool Due(long resident, long now, MemoryTrimOptions options)
    {
        // Saved-up credit is capped, but never below what the last trim took, so a slow trim defers the next one and never stops trimming.
        if (lastCheck != 0) credit = Math.Min(Math.Max(maxCredit, lastTrimTicks), credit + (long)((now - lastCheck) * options.MaxTimeShare));
        lastCheck = now;
        if (resident <= 0) return false;
        if (floor == 0 || resident < floor) floor = resident;
        return resident - floor >= options.GrowthBytes && credit >= lastTrimTicks;
    }

    /// <summary>Records a trim that ran from <paramref name="start"/> to <paramref name="end"/> and left <paramref name="residentAfter"/> bytes resident.</summary>
    public void Trimmed(long start, long end, long residentAfter)
    {
        lastTrimTicks = end - start;
        credit -= lastTrimTicks;
        lastCheck = end;
        if (residentAfter > 0) floor = residentAfter;
    }
}
