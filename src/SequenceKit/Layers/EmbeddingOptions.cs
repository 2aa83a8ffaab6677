namespace SequenceKit.Layers;

/// <summary>Options of an <see cref="Embedding"/>. Each default is written here once.</summary>
public sealed record EmbeddingOptions
{
    /// <summary>
    /// Treat token index 0 as padding (Keras' <c>mask_zero</c>, PyTorch's <c>padding_idx=0</c>): its vector is zero and
    /// never trained, and each sequence's length is taken as the position of its last non-zero token + 1, so recurrent
    /// layers downstream skip post-padding. Pre-padded batches are not shortened by this (their padding comes first):
    /// pad at the end when you rely on masking. Default true, matching the vocabulary's reserved index 0.
    /// </summary>
    public bool MaskZero { get; init; } = true;
}
