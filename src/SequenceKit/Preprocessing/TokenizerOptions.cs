namespace SequenceKit.Preprocessing;

/// <summary>
/// How raw text becomes tokens (<see cref="Tokenizer"/>). A <see cref="Vocabulary"/> built with
/// <see cref="Vocabulary.FromTexts"/> keeps these settings, and a model file that carries the vocabulary carries them
/// too, so inference tokenizes exactly as training did. Each default is written here once.
/// </summary>
public sealed record TokenizerOptions
{
    /// <summary>Lowercase the text (invariant culture, so the result does not depend on the machine) before splitting. Default true.</summary>
    public bool Lowercase { get; init; } = true;

    /// <summary>How the text is cut into tokens. Default <see cref="TokenSplitting.Words"/>.</summary>
    public TokenSplitting Splitting { get; init; } = TokenSplitting.Words;

    /// <summary>
    /// Keep at most this many tokens of each text, the first ones (as Keras' <c>TextVectorization</c> with
    /// <c>output_sequence_length</c>); <see cref="Vocabulary.EncodeTexts"/> then pads every text to exactly this
    /// length. At least 1; null (the default) keeps every token and pads to the longest text of each call.
    /// </summary>
    public int? MaxLength { get; init; }
}
