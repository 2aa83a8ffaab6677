namespace SequenceKit.Monitoring;

/// <summary>Which direction of a monitored value is an improvement. Always explicit: never guessed from a metric's name.</summary>
public enum MetricMode
{
    /// <summary>Lower is better (losses, errors).</summary>
    Minimize,

    /// <summary>Higher is better (accuracy, F1).</summary>
    Maximize,
}
