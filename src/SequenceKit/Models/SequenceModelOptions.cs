using Microsoft.Extensions.Logging;
using SequenceKit.Backends;

namespace SequenceKit.Models;

/// <summary>How a <see cref="SequenceModel"/> is placed and checked. Each default is written here once.</summary>
public sealed record SequenceModelOptions
{
    /// <summary>
    /// The device to run on; null (the default) defers to the <c>SEQUENCEKIT_DEVICE</c> environment variable and then
    /// to automatic selection (CUDA when available, else CPU). See <see cref="DeviceSelector"/>.
    /// </summary>
    public ComputeDevice? Device { get; init; }

    /// <summary>
    /// Check every input before it reaches native code: rank, feature count, dtype, token range and finiteness
    /// (NaN/±Inf). The finiteness and range checks read the whole batch once; turn them off for speed once the data
    /// pipeline is trusted. Default true.
    /// </summary>
    public bool ValidateInputs { get; init; } = true;

    /// <summary>Seed for parameter initialisation (<c>torch.manual_seed</c>); null leaves the global generator as it is. Default null.</summary>
    public long? Seed { get; init; }

    /// <summary>
    /// Where the chosen device is logged (Information). Default null: a logger from
    /// <see cref="SequenceKitLogging.LoggerFactory"/>, which logs nothing unless a factory is set there.
    /// </summary>
    public ILogger? Logger { get; init; }
}
