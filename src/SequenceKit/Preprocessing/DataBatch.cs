using TorchSharp;

namespace SequenceKit.Preprocessing;

/// <summary>One mini-batch on the requested device. Dispose it when the step is done (or let the step's dispose scope do it).</summary>
/// <param name="Inputs">(batch, …) inputs.</param>
/// <param name="Targets">(batch, …) targets.</param>
/// <param name="Lengths">(batch) int64 sequence lengths on the CPU, or null.</param>
/// <param name="Indices">The dataset rows in this batch.</param>
public sealed record DataBatch(torch.Tensor Inputs, torch.Tensor Targets, torch.Tensor? Lengths, long[] Indices) : IDisposable
{
    /// <summary>Frees the batch's tensors.</summary>
    public void Dispose()
    {
        Inputs.Dispose();
        Targets.Dispose();
        Lengths?.Dispose();
    }
}
