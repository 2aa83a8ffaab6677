namespace SequenceKit.Diagnostics;

/// <summary>What the training doctor may do, and how much time it may take. Each default is written here once.</summary>
public sealed record DoctorOptions
{
    /// <summary>
    /// Allow the active part: the learnability baseline and the controlled experiments, which train short-lived copies
    /// of the model and never touch the user's weights. Default true. Without it only the plain checks run.
    /// </summary>
    public bool ActiveProbes { get; init; } = true;

    /// <summary>
    /// Rows of the evaluated set that class- and metric-based numbers are computed on: the whole set when it has at
    /// most this many rows (then they equal the history's), else a seeded random sample of this size, stratified by
    /// class, whose size the report states. Positive. Default 20,000.
    /// </summary>
    public int MaxEvaluatedRows { get; init; } = 20_000;

    /// <summary>Training rows each controlled experiment trains on (a seeded random subset), and rows the baseline uses. Positive. Default 512.</summary>
    public int SampleSize { get; init; } = 512;

    /// <summary>
    /// Optimizer steps of each controlled experiment (fewer when the time budget requires); at least 10. Default 120.
    /// A stuck run that confirms nothing in the first round, and has no decisive or measured finding either, gets a
    /// second round of up to 4× as many steps when the time left allows at least twice as many.
    /// </summary>
    public int ExperimentSteps { get; init; } = 120;

    /// <summary>
    /// The most time the active part may take. Null (the default): the smaller of 20 s and 25% of the training time so
    /// far (the history's epoch durations), but at least 8 s, so that a short run's diagnosis can still train the control
    /// twice and the leading candidates. The report states the budget used.
    /// </summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>Receives the stage and the share of the budget used while the doctor works; null for none.</summary>
    public IProgress<DoctorProgress>? Progress { get; init; }

    /// <summary>The budget used for a history whose epochs took <paramref name="training"/> in total.</summary>
    internal TimeSpan BudgetFor(TimeSpan training) =>
        TimeBudget ?? TimeSpan.FromSeconds(Math.Max(8, Math.Min(20, 0.25 * training.TotalSeconds)));

    /// <summary>Throws for an option out of range, naming it, the value and the range.</summary>
    internal void Validate()
    {
        if (MaxEvaluatedRows <= 0) throw new ArgumentOutOfRangeException(nameof(MaxEvaluatedRows), MaxEvaluatedRows, $"DoctorOptions.MaxEvaluatedRows must be positive; got {MaxEvaluatedRows}.");
        if (SampleSize <= 0) throw new ArgumentOutOfRangeException(nameof(SampleSize), SampleSize, $"DoctorOptions.SampleSize must be positive; got {SampleSize}.");
        if (ExperimentSteps < 10) throw new ArgumentOutOfRangeException(nameof(ExperimentSteps), ExperimentSteps, $"DoctorOptions.ExperimentSteps must be at least 10; got {ExperimentSteps}.");
        if (TimeBudget is { } budget && !(budget > TimeSpan.Zero))
            throw new ArgumentOutOfRangeException(nameof(TimeBudget), budget, $"DoctorOptions.TimeBudget must be positive (or null for the default); got {budget}.");
    }
}

/// <summary>Where the doctor is: the stage ("baseline", "experiment: inputs standardized", …) and the share of its time budget used.</summary>
/// <param name="Stage">What it is doing.</param>
/// <param name="BudgetUsed">Elapsed active time / budget, in [0, 1] (may pass 1 briefly before it stops).</param>
public readonly record struct DoctorProgress(string Stage, double BudgetUsed);
