using System.Globalization;
using SequenceKit.Monitoring;

namespace SequenceKit.Training.Callbacks;

/// <summary>Options of <see cref="ModelCheckpoint"/>. Each default is written here once.</summary>
/// <param name="Path">The checkpoint file; "{epoch}" in it is replaced by the 1-based epoch number.</param>
public sealed record ModelCheckpointOptions(string Path)
{
    /// <summary>The metric that decides "best". Default "val_loss".</summary>
    public string Monitor { get; init; } = "val_loss";

    /// <summary>The direction; null (the default) takes it from the metric.</summary>
    public MetricMode? Mode { get; init; }

    /// <summary>
    /// Write only when <see cref="Monitor"/> improves. Default false (as in Keras): every epoch is written, so a resume
    /// from the file continues after the last finished epoch; set true to keep only the best model.
    /// </summary>
    public bool SaveBestOnly { get; init; }
}

/// <summary>
/// Writes a full training checkpoint (weights, optimizer state, scheduler state, history, epoch, seed) at the end of
/// an epoch: every epoch, or only when the monitored metric improves. Each write goes to a temporary file that is
/// renamed over the target, so an interrupted write never leaves a half-written checkpoint. Resume with
/// <see cref="TrainerOptions.ResumeFrom"/> or <see cref="TrainerOptions.ResumeFromIfPresent"/>.
/// </summary>
/// <param name="options">Path, monitor and policy.</param>
public sealed class ModelCheckpoint(ModelCheckpointOptions options) : Callback
{
    private PlateauDetector? detector;

    /// <summary>The callback's options.</summary>
    public ModelCheckpointOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>The files written, in order.</summary>
    public List<string> Written { get; } = [];

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Options.Path, nameof(options));
        if (!Options.SaveBestOnly) return;
        context.RequireMetric(Options.Monitor, nameof(ModelCheckpoint));
        detector = new PlateauDetector(new PlateauOptions { Mode = Options.Mode ?? context.ModeOf(Options.Monitor), MinDelta = 0, Patience = int.MaxValue }, Options.Monitor);
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context)
    {
        if (detector is not null && !detector.Update(context.EpochMetrics[Options.Monitor]).Improved) return;
        var path = Options.Path.Replace("{epoch}", (context.Epoch + 1).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        context.SaveCheckpoint(path);
        Written.Add(path);
    }
}
