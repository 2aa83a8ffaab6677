namespace SequenceKit.Training.Schedulers;

/// <summary>
/// A position-driven schedule that also sets the optimizer's momentum: SGD's momentum, or β1 of Adam and AdamW
/// (<see cref="OneCycle"/>). The trainer applies it before every batch, after the learning rate.
/// </summary>
public interface IMomentumSchedule
{
    /// <summary>The momentum (or β1) at a position, or null to leave the optimizer's unchanged.</summary>
    /// <param name="position">Epoch, batch and run length.</param>
    /// <returns>A value in [0, 1), or null.</returns>
    double? Momentum(SchedulePosition position);
}
