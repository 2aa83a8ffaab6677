namespace SequenceKit.Preprocessing;

/// <summary>Which end of a sequence padding is added to, or truncation removes from.</summary>
public enum PaddingSide
{
    /// <summary>The start of the sequence.</summary>
    Pre,

    /// <summary>The end of the sequence.</summary>
    Post,
}
