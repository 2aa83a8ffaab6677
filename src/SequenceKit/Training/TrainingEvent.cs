using System.Globalization;

namespace SequenceKit.Training;

/// <summary>
/// Something that happened during training besides the epochs, recorded in <see cref="History.Events"/>. Read the
/// type and its fields; <see cref="ToString"/> is for people and its wording may change.
/// </summary>
/// <param name="Epoch">The epoch it happened in, from 0.</param>
public abstract record TrainingEvent(int Epoch)
{
    /// <summary>A sentence for people, e.g. "epoch 3, batch 7: loss NaN; the step was not applied".</summary>
    /// <returns>The description.</returns>
    public sealed override string ToString() => Describe();

    /// <summary>The sentence <see cref="ToString"/> returns.</summary>
    /// <returns>The description.</returns>
    protected abstract string Describe();

    private protected static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A batch whose loss was NaN or infinite: the trainer did not apply its step.</summary>
/// <param name="Epoch">The epoch, from 0.</param>
/// <param name="Batch">The batch within the epoch, from 0.</param>
/// <param name="Loss">The non-finite loss.</param>
public sealed record SkippedStep(int Epoch, int Batch, double Loss) : TrainingEvent(Epoch)
{
    /// <inheritdoc />
    protected override string Describe() => F($"epoch {Epoch + 1}, batch {Batch + 1}: loss {Loss}; the step was not applied");
}

/// <summary>Weights put back to the start of the epoch after a non-finite loss (<see cref="Callbacks.TerminateOnNaN"/>).</summary>
/// <param name="Epoch">The epoch, from 0, whose starting weights were restored.</param>
/// <param name="Batch">The batch, from 0, that gave the non-finite loss.</param>
/// <param name="Loss">That loss.</param>
/// <param name="Rollback">Which roll-back this is, from 1.</param>
/// <param name="MaxRollbacks">How many are allowed.</param>
public sealed record WeightsRolledBack(int Epoch, int Batch, double Loss, int Rollback, int MaxRollbacks) : TrainingEvent(Epoch)
{
    /// <inheritdoc />
    protected override string Describe() =>
        F($"epoch {Epoch + 1}, batch {Batch + 1}: loss {Loss}; weights rolled back to the start of epoch {Epoch + 1} (roll-back {Rollback} of {MaxRollbacks})");
}

/// <summary>
/// An optimizer step that left parameters NaN or infinite: the trainer put the weights back to the start of the epoch
/// and stopped with <see cref="StopReason.NonFiniteParameters"/>.
/// </summary>
/// <param name="Epoch">The epoch, from 0, whose starting weights were restored.</param>
/// <param name="Batch">The batch, from 0, whose step was rolled back.</param>
/// <param name="Parameters">The parameters that held NaN or infinite values after the step, e.g. "1.weight_ih_l0".</param>
public sealed record ParametersRolledBack(int Epoch, int Batch, IReadOnlyList<string> Parameters) : TrainingEvent(Epoch)
{
    /// <inheritdoc />
    protected override string Describe() =>
        F($"epoch {Epoch + 1}, batch {Batch + 1}: the optimizer step left {string.Join(", ", Parameters)} NaN or infinite; weights rolled back to the start of epoch {Epoch + 1} and training stopped");
}

/// <summary>The base learning rate multiplied by a factor, by a callback or a metric scheduler.</summary>
/// <param name="Epoch">The epoch, from 0.</param>
/// <param name="Factor">The factor, in (0, 1].</param>
/// <param name="NewRate">The base rate after the cut.</param>
/// <param name="Reason">Why, in words.</param>
public sealed record LearningRateCut(int Epoch, double Factor, double NewRate, string Reason) : TrainingEvent(Epoch)
{
    /// <inheritdoc />
    protected override string Describe() => F($"epoch {Epoch + 1}: learning rate × {Factor} to {NewRate:G4} ({Reason})");
}
