namespace SequenceKit.Layers;

/// <summary>What a layer's input or output tensor holds, which fixes its rank.</summary>
public enum ShapeKind
{
    /// <summary>Token indices, shape (batch, time), integer dtype: the input of an <see cref="Embedding"/>.</summary>
    Tokens,

    /// <summary>A sequence of feature vectors, shape (batch, time, features), float32.</summary>
    Sequence,

    /// <summary>One feature vector per sample, shape (batch, features), float32: there is no time axis.</summary>
    Vector,
}
