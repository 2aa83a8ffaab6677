namespace SequenceKit.Preprocessing;

/// <summary>Options of a <see cref="MinMaxScaler"/>. Each default is written here once.</summary>
public sealed record MinMaxScalerOptions
{
    /// <summary>The value each feature's training minimum maps to. Default 0.</summary>
    public double FeatureRangeMin { get; init; }

    /// <summary>The value each feature's training maximum maps to; greater than <see cref="FeatureRangeMin"/>. Default 1.</summary>
    public double FeatureRangeMax { get; init; } = 1;

    /// <summary>Clip transformed values to [FeatureRangeMin, FeatureRangeMax] (values outside the training range would otherwise exceed it). Default false.</summary>
    public bool Clip { get; init; }
}
