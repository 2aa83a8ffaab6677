using System.Globalization;

namespace SequenceKit.Layers;

/// <summary>
/// The shape of the tensor between two layers, without the batch (and time) length, which vary per batch.
/// </summary>
/// <param name="Kind">Tokens (batch, time), Sequence (batch, time, features) or Vector (batch, features).</param>
/// <param name="Features">The feature count of a Sequence or Vector; the vocabulary size for Tokens.</param>
public readonly record struct LayerShape(ShapeKind Kind, long Features)
{
    /// <summary>Token indices (batch, time) in [0, <paramref name="vocabularySize"/>).</summary>
    /// <param name="vocabularySize">The number of distinct token indices.</param>
    /// <returns>The shape.</returns>
    public static LayerShape Tokens(long vocabularySize) => new(ShapeKind.Tokens, vocabularySize);

    /// <summary>A sequence (batch, time, <paramref name="features"/>).</summary>
    /// <param name="features">The feature count per time step.</param>
    /// <returns>The shape.</returns>
    public static LayerShape Sequence(long features) => new(ShapeKind.Sequence, features);

    /// <summary>A vector (batch, <paramref name="features"/>).</summary>
    /// <param name="features">The feature count.</param>
    /// <returns>The shape.</returns>
    public static LayerShape Vector(long features) => new(ShapeKind.Vector, features);

    /// <summary>True for Tokens and Sequence: the tensor has a time axis at dimension 1.</summary>
    public bool HasTimeAxis => Kind != ShapeKind.Vector;

    /// <summary>The tensor rank, batch included: 2 for Tokens and Vector, 3 for Sequence.</summary>
    public int Rank => Kind == ShapeKind.Sequence ? 3 : 2;

    /// <summary>Keras-style text: <c>(batch, time)</c>, <c>(batch, time, 64)</c> or <c>(batch, 10)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Kind switch
    {
        ShapeKind.Tokens => "(batch, time)",
        ShapeKind.Sequence => string.Create(CultureInfo.InvariantCulture, $"(batch, time, {Features})"),
        _ => string.Create(CultureInfo.InvariantCulture, $"(batch, {Features})"),
    };
}
