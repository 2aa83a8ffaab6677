using TorchSharp;

namespace SequenceKit.Backends;

/// <summary>Asks TorchSharp (<c>torch.cuda.is_available()</c>, <c>torch.cuda.device_count()</c>) about CUDA.</summary>
public sealed class TorchCudaProbe : ICudaProbe
{
    /// <summary>The shared instance.</summary>
    public static TorchCudaProbe Instance { get; } = new();

    private TorchCudaProbe() { }

    /// <inheritdoc />
    /// <exception cref="SequenceKitException">TorchSharp's native library cannot be loaded.</exception>
    public bool IsAvailable
    {
        get
        {
            NativeRuntime.EnsureAvailable();
            return torch.cuda.is_available();
        }
    }

    /// <inheritdoc />
    /// <exception cref="SequenceKitException">TorchSharp's native library cannot be loaded.</exception>
    public int DeviceCount
    {
        get
        {
            NativeRuntime.EnsureAvailable();
            return torch.cuda.is_available() ? torch.cuda.device_count() : 0;
        }
    }
}
