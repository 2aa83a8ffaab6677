namespace SequenceKit.Preprocessing;

/// <summary>Options of a <see cref="StandardScaler"/>. Each default is written here once.</summary>
public sealed record StandardScalerOptions
{
    /// <summary>Subtract each feature's mean. Default true.</summary>
    public bool WithMean { get; init; } = true;

    /// <summary>Divide by each feature's standard deviation (population: ddof = 0, as scikit-learn). Default true.</summary>
    public bool WithStd { get; init; } = true;
}
