namespace SequenceKit.Training;

/// <summary>
/// A checkpoint that cannot be resumed from: missing parts, truncated, corrupt (a SHA-256 does not match), written by
/// another run (seed, optimizer, architecture), or with metadata or optimizer state out of range. Thrown before the
/// model, the optimizer or the history is changed: after this exception the model is exactly as it was.
/// </summary>
public sealed class CheckpointFileException : SequenceKitException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="part">The part at fault, e.g. <c>"optimizer.dat"</c> or <c>"checkpoint.json"</c>; null for the file as a whole.</param>
    /// <param name="problem">What is wrong, the value seen and what was expected.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public CheckpointFileException(string path, string? part, string problem, Exception? innerException = null)
        : base($"Cannot resume from checkpoint '{path}'{(part is null ? "" : $" ({part})")}: {problem}", innerException ?? new InvalidDataException(problem))
    {
        Path = path;
        Part = part;
    }

    /// <summary>The checkpoint file.</summary>
    public string Path { get; }

    /// <summary>The part at fault (an archive entry such as <c>"optimizer.dat"</c>), or null for the file as a whole.</summary>
    public string? Part { get; }
}
