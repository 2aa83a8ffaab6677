using System.Globalization;
using TorchSharp;

namespace SequenceKit.Backends;

/// <summary>
/// A device as SequenceKit names it: <c>cpu</c>, <c>cuda</c> (GPU 0) or <c>cuda:N</c>.
/// A plain value with no native state, so it can be parsed, compared and logged without loading libtorch.
/// </summary>
/// <param name="Kind">CPU or CUDA.</param>
/// <param name="Index">The GPU ordinal for <see cref="DeviceKind.Cuda"/>; always 0 for the CPU.</param>
public readonly record struct ComputeDevice(DeviceKind Kind, int Index = 0)
{
    /// <summary>The CPU.</summary>
    public static ComputeDevice Cpu => new(DeviceKind.Cpu);

    /// <summary>The CUDA GPU with the given ordinal.</summary>
    /// <param name="index">The GPU ordinal, 0 or more. Default 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative.</exception>
    public static ComputeDevice Cuda(int index = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return new(DeviceKind.Cuda, index);
    }

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (case-insensitive, surrounding spaces ignored).</summary>
    /// <param name="text">The device name.</param>
    /// <returns>The device.</returns>
    /// <exception cref="ArgumentException"><paramref name="text"/> is not one of the accepted forms.</exception>
    public static ComputeDevice Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (TryParse(text, out var device)) return device;
        throw new ArgumentException(
            $"Device name must be 'cpu', 'cuda' or 'cuda:N' with N >= 0; got '{text}'.", nameof(text));
    }

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>; returns false for anything else.</summary>
    /// <param name="text">The device name, or null.</param>
    /// <param name="device">The device when parsing succeeded.</param>
    /// <returns>True when <paramref name="text"/> names a device.</returns>
    public static bool TryParse(string? text, out ComputeDevice device)
    {
        device = default;
        var name = text?.Trim().ToLowerInvariant();
        if (name == "cpu") { device = Cpu; return true; }
        if (name == "cuda") { device = new(DeviceKind.Cuda); return true; }
        if (name is not null && name.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            device = new(DeviceKind.Cuda, index);
            return true;
        }
        return false;
    }

    /// <summary>The TorchSharp device for this value.</summary>
    /// <returns>A <see cref="torch.Device"/> of the same kind and ordinal.</returns>
    public torch.Device ToTorch()
    {
        NativeRuntime.EnsureAvailable();
        return Kind == DeviceKind.Cpu ? torch.CPU : new torch.Device(DeviceType.CUDA, Index);
    }

    /// <summary>The device's name, as accepted by <see cref="Parse"/>: <c>cpu</c> or <c>cuda:N</c>.</summary>
    /// <returns>The name.</returns>
    public override string ToString() =>
        Kind == DeviceKind.Cpu ? "cpu" : string.Create(CultureInfo.InvariantCulture, $"cuda:{Index}");
}
