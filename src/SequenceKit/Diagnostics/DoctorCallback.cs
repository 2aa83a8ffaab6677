using System.Diagnostics;
using Microsoft.Extensions.Logging;
using SequenceKit.Monitoring;
using SequenceKit.Training;
using SequenceKit.Training.Callbacks;

namespace SequenceKit.Diagnostics;

/// <summary>Options of <see cref="DoctorCallback"/>. Each default is written here once.</summary>
public sealed record DoctorCallbackOptions
{
    /// <summary>The metric whose plateau triggers a diagnosis. Default "val_loss" when there is validation data, else "loss" (null).</summary>
    public string? Monitor { get; init; }

    /// <summary>Epochs without improvement before a plateau is declared (the shared Keras rule). Default 3.</summary>
    public int Patience { get; init; } = 3;

    /// <summary>The smallest improvement that counts, relative to the best value. Default 0.01.</summary>
    public double MinDelta { get; init; } = 0.01;

    /// <summary>What the doctor may do when diagnosing; null for the defaults (probes allowed, on a copy of the model).</summary>
    public DoctorOptions? Doctor { get; init; }

    /// <summary>Diagnose when a plateau starts (the report is then made mid-run). Default true.</summary>
    public bool DiagnoseOnPlateau { get; init; } = true;

    /// <summary>Diagnose again at the end of training (with the whole history), also after a plateau report. Default true.</summary>
    public bool DiagnoseAtEnd { get; init; } = true;

    /// <summary>Where plateaus and reports are logged. Default null: a logger from <see cref="SequenceKitLogging.LoggerFactory"/> (category <see cref="TrainingDoctor.LogCategory"/>).</summary>
    public ILogger? Logger { get; init; }
}

/// <summary>
/// The training doctor as a callback. Every epoch it feeds the monitored metric to a <see cref="PlateauDetector"/>
/// (cheap); when a plateau starts it raises <see cref="PlateauDetected"/>, logs it, diagnoses (active probes on a copy
/// of the model) and keeps the report in <see cref="Reports"/>; at the end of training it diagnoses once more. It never throws from inside training and never changes
/// the model, the optimizer or the run.
/// </summary>
/// <param name="options">Monitor, patience, doctor options and logger; null for the defaults.</param>
public sealed class DoctorCallback(DoctorCallbackOptions? options = null) : Callback
{
    private PlateauDetector? detector;
    private readonly Stopwatch overhead = new();

    /// <summary>The callback's options.</summary>
    public DoctorCallbackOptions Options { get; } = options ?? new DoctorCallbackOptions();

    /// <summary>Reports made during training, in order.</summary>
    public List<DiagnosisReport> Reports { get; } = [];

    /// <summary>The last report, or null.</summary>
    public DiagnosisReport? LastReport => Reports.Count > 0 ? Reports[^1] : null;

    /// <summary>The epoch (from 0) of the first plateau, or null.</summary>
    public int? FirstPlateauEpoch { get; private set; }

    /// <summary>Time spent in the per-epoch passive work (not counting diagnoses).</summary>
    public TimeSpan PassiveOverhead => overhead.Elapsed;

    /// <summary>Raised when a plateau starts, with its decision (and reason).</summary>
    public event EventHandler<PlateauDecision>? PlateauDetected;

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context)
    {
        var monitor = Options.Monitor ?? (context.Validation is null ? "loss" : "val_loss");
        context.RequireMetric(monitor, nameof(DoctorCallback));
        detector = new PlateauDetector(new PlateauOptions
        {
            Mode = context.ModeOf(monitor),
            MinDelta = Options.MinDelta,
            MinDeltaMode = MinDeltaMode.Relative,
            Patience = Options.Patience,
        }, monitor);
        Reports.Clear();
        FirstPlateauEpoch = null;
        overhead.Reset();
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context)
    {
        overhead.Start();
        var decision = detector!.Update(context.EpochMetrics.GetValueOrDefault(detector.Name, double.NaN));
        overhead.Stop();
        if (!decision.Plateaued || FirstPlateauEpoch is not null) return;
        FirstPlateauEpoch = context.Epoch;
        SequenceKitLogging.Resolve(Options.Logger, TrainingDoctor.LogCategory).LogWarning("Plateau at epoch {Epoch}: {Reason}", context.Epoch + 1, decision.Reason);
        PlateauDetected?.Invoke(this, decision);
        if (Options.DiagnoseOnPlateau) Diagnose(context);
    }

    /// <inheritdoc />
    public override void OnTrainEnd(TrainingContext context)
    {
        // A cancelled run ends now: the doctor does not start a diagnosis the user would have to wait for.
        if (Options.DiagnoseAtEnd && context.History.Epochs.Count > 0 && !context.CancellationToken.IsCancellationRequested) Diagnose(context);
    }

    private void Diagnose(TrainingContext context)
    {
        try
        {
            using var diagnosis = new DiagnosisContext(context.Model, context.Train, context.Validation, context.History, context.Options, Options.Doctor ?? new DoctorOptions(), context.CancellationToken);
            var report = TrainingDoctor.Run(diagnosis, context.Epoch);
            Reports.Add(report);
            TrainingDoctor.Log(report, Options.Logger);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Reports.Add(new DiagnosisReport([], [$"the diagnosis could not run: {e.GetType().Name}: {e.Message}"], context.Epoch));
        }
    }
}
