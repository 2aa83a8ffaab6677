namespace SequenceKit.Backends;

/// <summary>
/// Answers whether CUDA can be used and how many GPUs there are. <see cref="TorchCudaProbe"/> asks TorchSharp;
/// tests substitute their own to exercise device selection on any machine.
/// </summary>
public interface ICudaProbe
{
    /// <summary>True when the CUDA backend is loaded and at least one GPU is visible.</summary>
    bool IsAvailable { get; }

    /// <summary>The number of visible CUDA GPUs (0 when CUDA is not available).</summary>
    int DeviceCount { get; }
}
