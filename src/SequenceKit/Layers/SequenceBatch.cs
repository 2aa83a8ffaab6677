using TorchSharp;

namespace SequenceKit.Layers;

/// <summary>
/// What flows from layer to layer: the values and, for padded sequences, each sequence's true length.
/// </summary>
/// <param name="Values">Tokens (batch, time), a sequence (batch, time, features) or a vector (batch, features), on the model's device.</param>
/// <param name="Lengths">
/// Each sequence's length, shape (batch), int64, on the CPU (as packing needs); null when every sequence fills the time axis.
/// Recurrent layers run each sequence only over its first <c>Lengths[i]</c> steps, so post-padding never reaches them.
/// </param>
public readonly record struct SequenceBatch(torch.Tensor Values, torch.Tensor? Lengths);
