namespace SequenceKit;

/// <summary>
/// An error that SequenceKit detected and explained: a missing native prerequisite, a device that is not there,
/// layers that do not fit together, or a model file that cannot be read. The message says what was expected,
/// what was found and how to fix it.
/// </summary>
public class SequenceKitException : Exception
{
    /// <summary>Creates the exception with an explanatory message.</summary>
    /// <param name="message">What went wrong, the value seen, and the fix.</param>
    public SequenceKitException(string message) : base(message) { }

    /// <summary>Creates the exception with an explanatory message and the exception that caused it.</summary>
    /// <param name="message">What went wrong, the value seen, and the fix.</param>
    /// <param name="innerException">The original exception, kept for its stack trace.</param>
    public SequenceKitException(string message, Exception innerException) : base(message, innerException) { }
}
