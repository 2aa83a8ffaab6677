namespace SequenceKit.Preprocessing;

/// <summary>
/// A saved scaler, vocabulary or label encoder that cannot be read, from a file (<see cref="Path"/> is the file) or from
/// JSON text given to <c>FromJson</c> (<see cref="Path"/> is null): not JSON, another format, a format version newer
/// than this SequenceKit reads, a content hash (<c>"sha256"</c>) that is missing or does not match (one changed byte is
/// enough), a size over a <see cref="SequenceKitLimits"/> cap, not a regular file, or content that fitting could not have
/// produced (a negative count, min &gt; max, a NaN mean, a repeated token or class). Thrown before any state is built:
/// nothing half-loaded is returned. A model file holding such a part throws <see cref="Models.ModelFileException"/>
/// instead, with this exception as its inner exception.
/// </summary>
public sealed class PreprocessingFileException : SequenceKitException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">What was read: <c>"scaler"</c>, <c>"vocabulary"</c> or <c>"label encoder"</c>.</param>
    /// <param name="path">The file that was read, or null for JSON text.</param>
    /// <param name="problem">What is wrong, the value seen and what was expected.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public PreprocessingFileException(string kind, string? path, string problem, Exception? innerException = null)
        : base((path is null ? $"The {kind} JSON cannot be read: " : $"Cannot load {kind} file '{path}': ") + problem.TrimEnd('.') + ".",
            innerException ?? new InvalidDataException(problem))
    {
        Kind = kind;
        Path = path;
    }

    /// <summary>What was read: <c>"scaler"</c>, <c>"vocabulary"</c> or <c>"label encoder"</c>.</summary>
    public string Kind { get; }

    /// <summary>The file that was read, or null when the JSON text was given to <c>FromJson</c>.</summary>
    public string? Path { get; }
}
