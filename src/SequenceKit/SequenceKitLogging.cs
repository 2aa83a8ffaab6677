using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SequenceKit;

/// <summary>
/// The one place to give SequenceKit an <see cref="ILoggerFactory"/>: set it once at startup, and every component that
/// logs (the trainer's epoch lines, the device choice, padding warnings, the training doctor, the LSTM inference guard)
/// writes through it, under a category named after the component (e.g. <c>SequenceKit.Training.Trainer</c>). A
/// component's own <c>Logger</c> option (<c>TrainerOptions.Logger</c>, …) still takes precedence where it is set.
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

    /// <summary>A component's own logger when it has one, else one from <see cref="LoggerFactory"/> for its category.</summary>
    internal static ILogger Resolve(ILogger? own, string category) => own ?? For(category);
}
