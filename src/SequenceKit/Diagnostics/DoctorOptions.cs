namespace SequenceKit.Diagnostics;

/// <summary>What the training doctor may do. Each default is written here once.</summary>
public sealed record DoctorOptions
{
    /// <summary>
    /// Allow active probes (overfit one batch, update-to-weight ratio, gradients through time, activation statistics),
    /// which run on a copy of the model and never touch the user's weights. Default true.
    /// </summary>
    public bool ActiveProbes { get; init; } = true;

    /// <summary>Samples used by probes and by the prediction-based checks; positive. Default 256.</summary>
    public int SampleSize { get; init; } = 256;

    /// <summary>Optimizer steps of the overfit-one-batch probe; positive. Default 60.</summary>
    public int OverfitSteps { get; init; } = 60;
}
