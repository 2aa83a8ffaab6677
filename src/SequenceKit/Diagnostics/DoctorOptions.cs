namespace SequenceKit.Diagnostics;

/// <summary>
/// What the training doctor may do and how much work it may spend. Each default is written here once. The experiments
/// are budgeted in work (optimizer steps × the rows in each step's batch × their time steps), never in seconds, so that
/// the same run gets the same verdict on a quiet or a busy machine; <see cref="TimeLimit"/> is only a hard stop.
/// </summary>
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
    /// The most optimizer steps one arm of an experiment may take; at least 10. Default 960. Arms race in rungs of
    /// 60, 120, 240, 480 and 960 steps (capped here): after each rung the arms that trail the control stop, the leaders
    /// go on, and a change is confirmed only at 120 steps or more (or at this cap when it is lower), by two seeds that
    /// both beat every seed of the control.
    /// </summary>
    public int ExperimentSteps { get; init; } = 960;

    /// <summary>
    /// The work all experiments together may spend, in sequence steps processed: each optimizer step of each arm
    /// counts its batch's rows × their time steps (a recurrent step's cost grows with both). Positive. Default
    /// 12,000,000: for sequences of 24 steps in batches of 32, about 15,600 optimizer steps, enough to race the usual
    /// eight arms of a stuck run to 960 steps, replicate the leader and ablate a joint change of three parts (the
    /// StuckAccuracy sample's first step uses 9.6 million). Longer sequences get proportionally fewer steps. The report
    /// states the work used.
    /// </summary>
    public long WorkBudget { get; init; } = 12_000_000;

    /// <summary>
    /// A hard stop on the active part's wall time, for a machine far slower than expected. Default 5 minutes.
    /// Reaching it never changes a verdict: the experiments' findings are then left out and the report says the
    /// run was not decided in the time allowed. Must be positive.
    /// </summary>
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Receives the stage and the share of the work budget used while the doctor works; null for none.</summary>
    public IProgress<DoctorProgress>? Progress { get; init; }

    /// <summary>Throws for an option out of range, naming it, the value and the range.</summary>
    internal void Validate()
    {
        if (MaxEvaluatedRows <= 0) throw new ArgumentOutOfRangeException(nameof(MaxEvaluatedRows), MaxEvaluatedRows, $"DoctorOptions.MaxEvaluatedRows must be positive; got {MaxEvaluatedRows}.");
        if (SampleSize <= 0) throw new ArgumentOutOfRangeException(nameof(SampleSize), SampleSize, $"DoctorOptions.SampleSize must be positive; got {SampleSize}.");
        if (ExperimentSteps < 10) throw new ArgumentOutOfRangeException(nameof(ExperimentSteps), ExperimentSteps, $"DoctorOptions.ExperimentSteps must be at least 10; got {ExperimentSteps}.");
        if (WorkBudget <= 0) throw new ArgumentOutOfRangeException(nameof(WorkBudget), WorkBudget, $"DoctorOptions.WorkBudget must be positive (sequence steps processed by all experiments); got {WorkBudget}.");
        if (!(TimeLimit > TimeSpan.Zero))
            throw new ArgumentOutOfRangeException(nameof(TimeLimit), TimeLimit, $"DoctorOptions.TimeLimit must be positive; got {TimeLimit}.");
    }
}

/// <summary>Where the doctor is: the stage ("baseline", "experiment: inputs standardized", …) and the share of its work budget used.</summary>
/// <param name="Stage">What it is doing.</param>
/// <param name="BudgetUsed">Work used / <see cref="DoctorOptions.WorkBudget"/>, in [0, 1].</param>
public readonly record struct DoctorProgress(string Stage, double BudgetUsed);
