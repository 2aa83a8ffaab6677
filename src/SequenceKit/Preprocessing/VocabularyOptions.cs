namespace SequenceKit.Preprocessing;

/// <summary>Options of <see cref="Vocabulary.Build"/>. Each default is written here once.</summary>
public sealed record VocabularyOptions
{
    /// <summary>
    /// The most entries the vocabulary may hold, the two reserved ones (padding and unknown) included, so it can be
    /// passed straight to an Embedding as its vocabulary size. At least 2; null (the default) keeps every token.
    /// </summary>
    public int? MaxSize { get; init; }

    /// <summary>Tokens seen fewer times than this in the corpus map to the unknown index. At least 1. Default 1.</summary>
    public int MinFrequency { get; init; } = 1;
}
