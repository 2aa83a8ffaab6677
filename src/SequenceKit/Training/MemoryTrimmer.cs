using System.Runtime.InteropServices;

namespace SequenceKit.Training;

/// <summary>
/// glibc keeps freed, fragmented native chunks (measured: growth of tens to hundreds of MB over 1,000 steps with every
/// tensor disposed); <c>malloc_trim(0)</c> returns them. A no-op off Linux or on a libc without it (musl).
/// </summary>
internal static class MemoryTrimmer
{
    private static bool unavailable = !OperatingSystem.IsLinux();
    private static long steps;

    /// <summary>
    /// Counts a training step process-wide and trims every <paramref name="interval"/> steps, so that a loop of short
    /// <c>Fit</c> calls is trimmed as often as one long run, and no call pays for a trim of its own.
    /// </summary>
    public static void CountStep(int interval)
    {
        if (interval > 0 && Interlocked.Increment(ref steps) % interval == 0) Trim();
    }

    public static void Trim()
    {
        if (unavailable) return;
        try
        {
            malloc_trim(0);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            unavailable = true;
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int malloc_trim(nuint pad);
}
