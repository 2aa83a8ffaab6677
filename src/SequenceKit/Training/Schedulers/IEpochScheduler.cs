namespace SequenceKit.Training.Schedulers;

/// <summary>
/// A learning-rate schedule driven by the training position (epoch and batch): <see cref="StepLr"/>,
/// <see cref="ExponentialLr"/>, <see cref="CosineAnnealing"/>, <see cref="OneCycle"/>, <see cref="LinearWarmup"/>.
/// The trainer asks it before every batch. (Schedules driven by a metric implement <see cref="IMetricScheduler"/>.)
/// </summary>
public interface IEpochScheduler
{
    /// <summary>The learning rate at a position.</summary>
    /// <param name="baseRate">The optimizer's learning rate, after any reductions by a metric scheduler.</param>
    /// <param name="position">Epoch, batch and run length.</param>
    /// <returns>The learning rate to use for this batch.</returns>
    double LearningRate(double baseRate, SchedulePosition position);
}
