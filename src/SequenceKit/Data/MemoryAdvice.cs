using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Data;

/// <summary>
/// Hints to the kernel about how memory-mapped data will be read (<c>madvise</c>, Linux only; elsewhere, or when a
/// call fails, nothing happens: the hints change speed, never results). Measured on a 4 GB <c>.npy</c> file under a
/// 1 GB memory limit: with the kernel's default readahead, each shuffled row read pulled in and evicted a whole
/// readahead window, and training did not finish in 10 minutes.
/// </summary>
internal static class MemoryAdvice
{
    private const int MadvRandom = 1, MadvWillNeed = 3;
    private static bool unavailable = !OperatingSystem.IsLinux();

    /// <summary>Shuffled access ahead: read only the pages touched, no readahead (for a whole file mapping).</summary>
    public static void Random(Tensor mapping) => Advise(mapping, 0, mapping.NumberOfElements * mapping.ElementSize, MadvRandom);

    /// <summary>
    /// Rows <paramref name="first"/> … <paramref name="first"/> + <paramref name="count"/> of a C-contiguous CPU tensor
    /// will be read soon: the kernel starts reading them in the background. Skipped for other tensors.
    /// </summary>
    public static void WillNeed(Tensor rows, long first, long count)
    {
        if (unavailable || rows.device_type != DeviceType.CPU || !rows.is_contiguous() || rows.shape.Length == 0 || count <= 0) return;
        var rowBytes = rows.NumberOfElements / Math.Max(1, rows.shape[0]) * rows.ElementSize;
        Advise(rows, first * rowBytes, count * rowBytes, MadvWillNeed);
    }

    private static void Advise(Tensor tensor, long offset, long length, int advice)
    {
        if (unavailable || length <= 0) return;
        try
        {
            var start = NativeTensor.DataPointer(tensor) + (nint)offset;
            var page = Environment.SystemPageSize;
            var aligned = start & ~(nint)(page - 1);
            madvise(aligned, (nuint)(length + (start - aligned)), advice);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            unavailable = true;
        }
    }

    [DllImport("libc")]
    private static extern int madvise(nint address, nuint length, int advice);
}

/// <summary>The address of a CPU tensor's first element (libtorch's <c>data_ptr</c>, which TorchSharp does not expose).</summary>
internal static class NativeTensor
{
    /// <summary>The address of <paramref name="tensor"/>'s first element; the tensor must be on the CPU and stay alive while it is used.</summary>
    public static nint DataPointer(Tensor tensor) => THSTensor_data(tensor.Handle);

    [DllImport("LibTorchSharp")]
    private static extern nint THSTensor_data(nint handle);
}
