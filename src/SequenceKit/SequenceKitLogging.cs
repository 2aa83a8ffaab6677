using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SequenceKit;

/// <summary>
/// The one place to give SequenceKit an <see cref="ILoggerFactory"/>. Components that log without a logger of their
/// own (process-wide events such as the LSTM inference guard) create their loggers from it; the per-component
/// <c>Logger</c> options still take precedence where a component has one.
/// </summary>
/// <example><code>SequenceKitLogging.LoggerFactory = LoggerFactory.Create(b => b.AddConsole());</code></example>
public static class SequenceKitLogging
{
    private static ILoggerFactory factory = NullLoggerFactory.Instance;

    /// <summary>The factory SequenceKit creates its loggers from. Default: <see cref="NullLoggerFactory"/> (no logging).</summary>
    /// <exception cref="ArgumentNullException">Set to null (use <see cref="NullLoggerFactory.Instance"/> to switch logging off).</exception>
    public static ILoggerFactory LoggerFactory
    {
        get => Volatile.Read(ref factory);
        set => Volatile.Write(ref factory, value ?? throw new ArgumentNullException(nameof(value), "SequenceKitLogging.LoggerFactory cannot be null; use NullLoggerFactory.Instance to switch logging off."));
    }

    /// <summary>A logger for a SequenceKit category, from <see cref="LoggerFactory"/>.</summary>
    internal static ILogger For(string category) => LoggerFactory.CreateLogger(category);
}
