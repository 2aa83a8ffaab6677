namespace SequenceKit.Backends;

/// <summary>The kind of device tensors and parameters live on.</summary>
public enum DeviceKind
{
    /// <summary>The CPU (always available).</summary>
    Cpu,

    /// <summary>An NVIDIA GPU through CUDA; needs the TorchSharp-cuda-linux backend package and a GPU.</summary>
    Cuda,
}
