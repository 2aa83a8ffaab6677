namespace SequenceKit.Preprocessing;

/// <summary>How a <see cref="Tokenizer"/> cuts a text into tokens.</summary>
public enum TokenSplitting
{
    /// <summary>
    /// Tokens are runs of letters, digits and combining marks; everything else (white space, punctuation, symbols)
    /// separates tokens and is dropped, as scikit-learn's <c>CountVectorizer</c> does with one-letter words kept:
    /// "Don't stop!" → "don", "t", "stop".
    /// </summary>
    Words,

    /// <summary>Tokens are runs of characters other than white space; punctuation stays attached: "Don't stop!" → "don't", "stop!".</summary>
    Whitespace,
}
