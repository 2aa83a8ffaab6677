namespace SequenceKit.Models;

/// <summary>
/// A model file that cannot be loaded: missing parts, truncated, corrupt (a SHA-256 does not match), foreign, from a
/// newer format, over a <see cref="SequenceKitLimits"/> cap, or inconsistent with its architecture. Thrown before the
/// model is built or any native code reads the weights.
/// </summary>
public sealed class ModelFileException : SequenceKitException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file that was read.</param>
    /// <param name="problem">What is wrong with it.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public ModelFileException(string path, string problem, Exception? innerException = null)
        : this(path, null, problem, innerException)
    {
    }

    /// <summary>Creates the exception for one part of the file.</summary>
    /// <param name="path">The file that was read.</param>
    /// <param name="part">The part at fault, e.g. <c>"weights.dat"</c>, <c>"manifest.json"</c> or <c>"scalers/inputs.json"</c>; null for the file as a whole.</param>
    /// <param name="problem">What is wrong with it.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public ModelFileException(string path, string? part, string problem, Exception? innerException = null)
        : base($"Cannot load model file '{path}'{(part is null ? "" : $" ({part})")}: {problem}", innerException ?? new InvalidDataException(problem))
    {
        Path = path;
        Part = part;
    }

    /// <summary>The file that was read.</summary>
    public string Path { get; }

    /// <summary>The part at fault (an archive entry such as <c>"weights.dat"</c>), or null for the file as a whole.</summary>
    public string? Part { get; }
}
