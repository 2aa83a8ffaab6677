namespace SequenceKit.Monitoring;

/// <summary>How <see cref="PlateauOptions.MinDelta"/> is measured.</summary>
public enum MinDeltaMode
{
    /// <summary>An improvement must beat the best value by at least MinDelta (Keras' rule).</summary>
    Absolute,

    /// <summary>An improvement must beat the best value by at least MinDelta × |best| (PyTorch's default "rel" rule).</summary>
    Relative,
}
