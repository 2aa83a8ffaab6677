using Microsoft.Extensions.Logging;

namespace SequenceKit.Backends;

/// <summary>
/// Chooses the device a model runs on. In order of precedence: the device requested in code, then the
/// <c>SEQUENCEKIT_DEVICE</c> environment variable (<c>cpu</c>, <c>cuda</c>, <c>cuda:N</c> or <c>auto</c>), then
/// automatic selection (CUDA GPU 0 when CUDA is available, else the CPU).
/// </summary>
public static class DeviceSelector
{
    /// <summary>The environment variable that overrides automatic selection.</summary>
    public const string EnvironmentVariable = "SEQUENCEKIT_DEVICE";

    /// <summary>
    /// Chooses the device from the explicit request, the environment variable and the machine.
    /// </summary>
    /// <param name="requested">The device requested in code, or null to defer to the environment or automatic selection.</param>
    /// <param name="logger">Where the choice is logged at Information level; null for a logger from <see cref="SequenceKitLogging.LoggerFactory"/>.</param>
    /// <returns>The chosen device and the reason.</returns>
    /// <exception cref="SequenceKitException">CUDA was asked for and is not available, or the GPU ordinal does not exist.</exception>
    /// <exception cref="ArgumentException">The environment variable holds an unknown device name.</exception>
    public static DeviceSelection Select(ComputeDevice? requested = null, ILogger? logger = null)
    {
        var selection = Select(requested, Environment.GetEnvironmentVariable(EnvironmentVariable), TorchCudaProbe.Instance);
        SequenceKitLogging.Resolve(logger, "SequenceKit.Backends.DeviceSelector").LogInformation("SequenceKit device: {Device} ({Reason})", selection.Device, selection.Reason);
        return selection;
    }

    /// <summary>
    /// The selection rule itself, with the environment value and the CUDA probe passed in (so it can be tested anywhere).
    /// </summary>
    /// <param name="requested">The device requested in code, or null.</param>
    /// <param name="environmentValue">The value of <c>SEQUENCEKIT_DEVICE</c>, or null/empty when unset.</param>
    /// <param name="cuda">Answers whether CUDA is available and how many GPUs there are.</param>
    /// <returns>The chosen device and the reason.</returns>
    /// <exception cref="SequenceKitException">CUDA was asked for and is not available, or the GPU ordinal does not exist.</exception>
    /// <exception cref="ArgumentException"><paramref name="environmentValue"/> is not a device name.</exception>
    public static DeviceSelection Select(ComputeDevice? requested, string? environmentValue, ICudaProbe cuda)
    {
        ArgumentNullException.ThrowIfNull(cuda);
        if (requested is { } device)
            return new(Check(device, "requested in code", cuda), "requested in code");

        if (!string.IsNullOrWhiteSpace(environmentValue)
            && !string.Equals(environmentValue.Trim(), "auto", StringComparison.OrdinalIgnoreCase))
        {
            if (!ComputeDevice.TryParse(environmentValue, out var fromEnvironment))
                throw new ArgumentException(
                    $"{EnvironmentVariable} must be 'cpu', 'cuda', 'cuda:N' or 'auto'; got '{environmentValue}'.",
                    nameof(environmentValue));
            var source = $"{EnvironmentVariable}={environmentValue.Trim()}";
            return new(Check(fromEnvironment, source, cuda), source);
        }

        return cuda.IsAvailable
            ? new(ComputeDevice.Cuda(0), $"automatic: CUDA available with {cuda.DeviceCount} GPU(s)")
            : new(ComputeDevice.Cpu, "automatic: CUDA not available");
    }

    private static ComputeDevice Check(ComputeDevice device, string source, ICudaProbe cuda)
    {
        if (device.Kind == DeviceKind.Cpu) return device;
        if (!cuda.IsAvailable)
            throw new SequenceKitException(
                $"Device '{device}' was asked for ({source}), but CUDA is not available on this machine " +
                "(torch.cuda.is_available() is false). The application needs the TorchSharp-cuda-linux package " +
                "(build with -p:TorchBackend=cuda) and an NVIDIA GPU with its driver; or ask for 'cpu'.");
        var count = cuda.DeviceCount;
        if (device.Index >= count)
            throw new SequenceKitException(
                $"Device '{device}' was asked for ({source}), but this machine has {count} CUDA GPU(s) " +
                $"(ordinals 0..{count - 1}).");
        return device;
    }
}
