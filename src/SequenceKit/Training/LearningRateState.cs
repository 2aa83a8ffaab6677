namespace SequenceKit.Training;

/// <summary>
/// The base learning rate of a run, owned by its <see cref="TrainingContext"/>: set from the optimizer (or a checkpoint)
/// once, cut only through <see cref="Scale"/> (by callbacks, metric schedulers and roll-backs), each cut recorded in
/// the history as a <see cref="LearningRateCut"/>. Epoch schedules read it to compute each batch's rate.
/// </summary>
internal sealed class LearningRateState(History history, double baseRate)
{
    /// <summary>The rate schedules start from; cuts multiply it.</summary>
    public double BaseRate { get; private set; } = baseRate;

    /// <summary>Multiplies the base rate by <paramref name="factor"/> and records the cut.</summary>
    /// <returns>The new base rate.</returns>
    public double Scale(int epoch, double factor, string reason)
    {
        BaseRate *= factor;
        history.AddEvent(new LearningRateCut(epoch, factor, BaseRate, reason));
        return BaseRate;
    }

    /// <summary>Takes a metric scheduler's new base rate: a lower one is a cut (recorded), an equal one changes nothing.</summary>
    public void Follow(int epoch, double proposed, string reason)
    {
        if (proposed < BaseRate) Scale(epoch, proposed / BaseRate, reason);
    }
}
