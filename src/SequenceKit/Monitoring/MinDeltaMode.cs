namespace SequenceKit.Monitoring;

/// <summary>How <see cref="PlateauOptions.MinDelta"/> is measured.</summary>
public enum MinDeltaMode
{
    /// <summary>An improvement must beat the best value by more than MinDelta (Keras' rule: <c>value &lt; best − min_delta</c>).</summary>
    Absolute,

    /// <summary>An improvement must beat the best value by more than MinDelta × |best| (PyTorch's default "rel" rule).</summary>
    Relative,
}
