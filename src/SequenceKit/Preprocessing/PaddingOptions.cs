using Microsoft.Extensions.Logging;

namespace SequenceKit.Preprocessing;

/// <summary>Options of <see cref="PadSequences"/>. Each default is written here once.</summary>
public sealed record PaddingOptions
{
    /// <summary>The padded length; longer sequences are truncated. Null (the default) uses the longest sequence's length.</summary>
    public int? MaxLength { get; init; }

    /// <summary>
    /// Where padding goes. Default <see cref="PaddingSide.Post"/>, the only side SequenceKit's masking and packing
    /// skip (they take the first <c>length</c> steps as real). Keras defaults to Pre; with Pre, recurrent layers run
    /// over the padding, and a warning says so.
    /// </summary>
    public PaddingSide Padding { get; init; } = PaddingSide.Post;

    /// <summary>Which end is cut from sequences longer than <see cref="MaxLength"/>. Default <see cref="PaddingSide.Pre"/> (keep the most recent steps, as Keras).</summary>
    public PaddingSide Truncating { get; init; } = PaddingSide.Pre;

    /// <summary>The value padded positions hold. Default 0, the index an <c>Embedding</c> with <c>MaskZero</c> treats as padding.</summary>
    public double PadValue { get; init; }

    /// <summary>
    /// Where warnings about conflicting choices are logged (Warning level); they are also returned with the result.
    /// Default null: a logger from <see cref="SequenceKitLogging.LoggerFactory"/>, which logs nothing unless a factory is set there.
    /// </summary>
    public ILogger? Logger { get; init; }
}
