namespace SequenceKit.Backends;

/// <summary>The device chosen for a model and why it was chosen.</summary>
/// <param name="Device">The chosen device.</param>
/// <param name="Reason">How it was chosen, e.g. "requested in code", "SEQUENCEKIT_DEVICE=cuda:1", "automatic: CUDA not available".</param>
public readonly record struct DeviceSelection(ComputeDevice Device, string Reason);
