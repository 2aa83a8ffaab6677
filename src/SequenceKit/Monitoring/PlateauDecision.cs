namespace SequenceKit.Monitoring;

/// <summary>What <see cref="PlateauDetector.Update"/> concluded about one value, with a reason a person can read.</summary>
/// <param name="Improved">The value beat the best by more than MinDelta and became the new best.</param>
/// <param name="Plateaued">Patience ran out: act now (reduce the learning rate, stop). The count restarts after this.</param>
/// <param name="Best">The best value so far (NaN before any finite value).</param>
/// <param name="EpochsWithoutImprovement">Consecutive updates without improvement, as counted against Patience.</param>
/// <param name="InCooldown">The update fell in the cooldown after a plateau and was not counted against Patience.</param>
/// <param name="Reason">E.g. "val_loss 0.5123 did not improve on 0.5101 for 5 epochs (patience 5)".</param>
public readonly record struct PlateauDecision(bool Improved, bool Plateaued, double Best, int EpochsWithoutImprovement, bool InCooldown, string Reason);
