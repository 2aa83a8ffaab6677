using Microsoft.Extensions.Logging;
using SequenceKit.Training.Callbacks;
using SequenceKit.Training.Losses;
using SequenceKit.Training.Metrics;
using SequenceKit.Training.Optimizers;
using SequenceKit.Training.Schedulers;

namespace SequenceKit.Training;

/// <summary>
/// Everything a training run needs besides the model and the data. Each default is written here once. The device is
/// the model's own (chosen when it was built: code, <c>SEQUENCEKIT_DEVICE</c>, or automatic); batches follow it.
/// </summary>
public sealed record TrainerOptions
{
    /// <summary>The loss to minimize. Required: the trainer never guesses it.</summary>
    public required ILoss Loss { get; init; }

    /// <summary>The optimizer. Default <see cref="Optimizers.Adam"/> with learning rate 1e-3.</summary>
    public IOptimizerFactory Optimizer { get; init; } = new Adam();

    /// <summary>Passes over the training data; positive. Default 10.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Samples per optimizer step (per accumulation step); positive. Default 32.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Shuffle the training samples every epoch. Default true.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>
    /// Seeds everything random: epoch e shuffles with a generator seeded from (Seed, e) and reseeds TorchSharp (dropout)
    /// the same way, so a run is reproducible bit for bit on the CPU and resumable from any epoch. Default 0.
    /// </summary>
    public int Seed { get; init; }

    /// <summary>Metrics computed on the training batches and, with a validation set, on it ("val_" + name). Default none (loss only).</summary>
    public IReadOnlyList<IMetric> Metrics { get; init; } = [];

    /// <summary>A position-driven learning-rate schedule, applied before every batch. Default none.</summary>
    public IEpochScheduler? Schedule { get; init; }

    /// <summary>A metric-driven schedule (<see cref="ReduceLrOnPlateau"/>), stepped at the end of every epoch. Default none.</summary>
    public IMetricScheduler? MetricScheduler { get; init; }

    /// <summary>Callbacks, run in this order. Default none.</summary>
    public IReadOnlyList<Callback> Callbacks { get; init; } = [];

    /// <summary>Clip the gradients' global L2 norm to this before each step; positive, or null for none. Default null.</summary>
    public double? ClipGradientNorm { get; init; }

    /// <summary>Clip every gradient element to [−value, value] before each step; positive, or null for none. Default null.</summary>
    public double? ClipGradientValue { get; init; }

    /// <summary>Batches whose gradients are summed (each loss divided by this) before one optimizer step; positive. Default 1.</summary>
    public int AccumulationSteps { get; init; } = 1;

    /// <summary>One weight per class for the loss (e.g. <c>Labels.BalancedClassWeights</c>); null for none. Default null.</summary>
    public IReadOnlyList<double>? ClassWeights { get; init; }

    /// <summary>
    /// A checkpoint written by <see cref="ModelCheckpoint"/> to continue from; it must exist (a missing file throws, so
    /// that a typo never silently restarts a run). Null to start fresh. Default null. See also <see cref="ResumeFromIfPresent"/>.
    /// </summary>
    public string? ResumeFrom { get; init; }

    /// <summary>
    /// A checkpoint to continue from when the file exists; when it does not (the first run), training starts fresh. This
    /// is Keras' <c>BackupAndRestore</c>: point it at the <see cref="ModelCheckpoint"/> path written every epoch, and the
    /// same program resumes after an interruption without a <c>File.Exists</c> guard. Not together with
    /// <see cref="ResumeFrom"/>. Default null.
    /// </summary>
    public string? ResumeFromIfPresent { get; init; }

    /// <summary>
    /// Logs one line per epoch at Information (and learning-rate changes). Default null: the logger comes from
    /// <see cref="SequenceKitLogging.LoggerFactory"/> (category <see cref="Trainer.LogCategory"/>), which logs nothing
    /// unless a factory is set there.
    /// </summary>
    public ILogger? Logger { get; init; }

    /// <summary>Receives a report after every batch; null for none. Default null.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>
    /// On Linux, return freed native memory to the system (glibc <c>malloc_trim</c>) every this many steps, which keeps
    /// resident memory flat over long runs; 0 to never. Default 50.
    /// </summary>
    public int MemoryTrimInterval { get; init; } = 50;
}
