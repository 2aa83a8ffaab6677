namespace SequenceKit.Models;

/// <summary>A model file that cannot be loaded: truncated, corrupt, foreign, from a newer format, or inconsistent.</summary>
public sealed class ModelFileException : SequenceKitException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file that was read.</param>
    /// <param name="problem">What is wrong with it.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public ModelFileException(string path, string problem, Exception? innerException = null)
        : base($"Cannot load model file '{path}': {problem}", innerException ?? new InvalidDataException(problem))
    {
        Path = path;
    }

    /// <summary>The file that was read.</summary>
    public string Path { get; }
}
