using System.Globalization;

namespace SequenceKit.Monitoring;

/// <summary>
/// The one "has it stopped improving?" rule, shared by <c>ReduceLrOnPlateau</c>, <c>EarlyStopping</c> and the training
/// doctor. Feed it one value per epoch; each <see cref="Update"/> returns a <see cref="PlateauDecision"/>.
/// Rule (Keras' <c>ReduceLROnPlateau</c>, for every word): a value improves when it beats the best by more than
/// MinDelta; otherwise the count of epochs without improvement rises, and a plateau is declared when it reaches
/// Patience; the count then restarts and a cooldown of Cooldown epochs begins, decremented at the start of each
/// update, so counting resumes in the cooldown's last epoch (Cooldown c skips c − 1 epochs; Cooldown 1 changes
/// nothing). With patience 2, cooldown 1 and a flat value, plateaus fall at 0-based epochs 2, 4, 6, … (PyTorch's
/// rule, patience 1 and cooldown 1, gives 2, 5, 8). NaN never improves. Pure: no side effects, no dependencies.
/// </summary>
public sealed class PlateauDetector
{
    private int cooldownLeft;

    /// <summary>Creates a detector.</summary>
    /// <param name="options">Mode, min delta, patience and cooldown; null for the defaults.</param>
    /// <param name="name">The monitored value's name, used in reasons (e.g. "val_loss").</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public PlateauDetector(PlateauOptions? options = null, string name = "value")
    {
        Options = options ?? new PlateauOptions();
        Options.Validate();
        Name = name;
        Reset();
    }

    /// <summary>The rule's settings.</summary>
    public PlateauOptions Options { get; }

    /// <summary>The monitored value's name.</summary>
    public string Name { get; }

    /// <summary>The best value so far (NaN before any finite value).</summary>
    public double Best { get; private set; }

    /// <summary>Consecutive updates without improvement.</summary>
    public int EpochsWithoutImprovement { get; private set; }

    /// <summary>Forgets everything seen.</summary>
    public void Reset()
    {
        Best = double.NaN;
        EpochsWithoutImprovement = 0;
        cooldownLeft = 0;
    }

    /// <summary>Whether <paramref name="value"/> beats <paramref name="best"/> by more than MinDelta in this detector's direction.</summary>
    /// <param name="value">A candidate value.</param>
    /// <param name="best">The value to beat; NaN means there is none yet.</param>
    /// <returns>True when it is an improvement.</returns>
    public bool IsImprovement(double value, double best)
    {
        if (double.IsNaN(value)) return false;
        if (double.IsNaN(best)) return true;
        var margin = Options.MinDeltaMode == MinDeltaMode.Relative ? Options.MinDelta * Math.Abs(best) : Options.MinDelta;
        return Options.Mode == MetricMode.Minimize ? value < best - margin : value > best + margin;
    }

    /// <summary>Takes the next value and decides.</summary>
    /// <param name="value">This epoch's value of the monitored quantity.</param>
    /// <returns>The decision and its reason.</returns>
    public PlateauDecision Update(double value)
    {
        // Keras' ReduceLROnPlateau.on_epoch_end: the cooldown counter is decremented first, and the update counts
        // against Patience once it has reached 0, so the cooldown's last epoch already counts.
        if (cooldownLeft > 0)
        {
            cooldownLeft--;
            EpochsWithoutImprovement = 0;
        }
        var inCooldown = cooldownLeft > 0;
        if (IsImprovement(value, Best))
        {
            var previous = Best;
            Best = value;
            EpochsWithoutImprovement = 0;
            return new(true, false, Best, 0, inCooldown, double.IsNaN(previous)
                ? F($"{Name} {value:G6} is the first value")
                : F($"{Name} improved from {previous:G6} to {value:G6}"));
        }
        if (inCooldown)
            return new(false, false, Best, 0, true, F($"{Name} {value:G6} did not improve on {Best:G6}; in cooldown ({cooldownLeft} epoch(s) left)"));

        EpochsWithoutImprovement++;
        var reason = F($"{Name} {value:G6} did not improve on {Best:G6} for {EpochsWithoutImprovement} epoch(s) (patience {Options.Patience}, min delta {Options.MinDelta:G3} {Options.MinDeltaMode.ToString().ToLowerInvariant()})");
        if (EpochsWithoutImprovement < Options.Patience)
            return new(false, false, Best, EpochsWithoutImprovement, false, reason);
        var count = EpochsWithoutImprovement;
        EpochsWithoutImprovement = 0;
        cooldownLeft = Options.Cooldown;
        return new(false, true, Best, count, false, reason);
    }

    /// <summary>The detector's state, to store in a checkpoint.</summary>
    /// <returns>Best value, count and cooldown left.</returns>
    public (double Best, int EpochsWithoutImprovement, int CooldownLeft) GetState() => (Best, EpochsWithoutImprovement, cooldownLeft);

    /// <summary>Restores a state from <see cref="GetState"/>.</summary>
    /// <param name="state">The stored state.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative.</exception>
    public void SetState((double Best, int EpochsWithoutImprovement, int CooldownLeft) state)
    {
        if (state.EpochsWithoutImprovement < 0 || state.CooldownLeft < 0)
            throw new ArgumentOutOfRangeException(nameof(state), state, "Plateau detector counts cannot be negative.");
        (Best, EpochsWithoutImprovement, cooldownLeft) = state;
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
