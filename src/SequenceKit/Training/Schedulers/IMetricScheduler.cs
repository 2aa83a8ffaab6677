using System.Text.Json.Nodes;
using SequenceKit.Monitoring;

namespace SequenceKit.Training.Schedulers;

/// <summary>A learning-rate schedule driven by a monitored metric at the end of each epoch (<see cref="ReduceLrOnPlateau"/>).</summary>
public interface IMetricScheduler
{
    /// <summary>The monitored metric's name in the history, e.g. "val_loss".</summary>
    string Monitor { get; }

    /// <summary>The direction set explicitly, or null to take it from the metric (losses minimize; each metric states its mode).</summary>
    MetricMode? Mode { get; }

    /// <summary>Called once when training starts (not when it resumes from a checkpoint), with the resolved direction.</summary>
    /// <param name="mode">Which direction is an improvement.</param>
    void Start(MetricMode mode);

    /// <summary>Takes the epoch's value of the monitored metric and returns the base learning rate for the next epoch.</summary>
    /// <param name="value">The monitored value.</param>
    /// <param name="currentRate">The base learning rate used this epoch.</param>
    /// <param name="message">What was decided and why, when the rate changed; otherwise null.</param>
    /// <returns>The new base rate (equal to <paramref name="currentRate"/> when unchanged).</returns>
    double Step(double value, double currentRate, out string? message);

    /// <summary>The scheduler's state, for checkpoints.</summary>
    /// <returns>A JSON object.</returns>
    JsonObject GetState();

    /// <summary>Restores a state from <see cref="GetState"/> (when resuming).</summary>
    /// <param name="state">The stored state.</param>
    void SetState(JsonObject state);
}
