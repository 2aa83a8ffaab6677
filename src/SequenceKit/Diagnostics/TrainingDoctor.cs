using Microsoft.Extensions.Logging;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;

namespace SequenceKit.Diagnostics;

/// <summary>
/// Says why a sequence model is stuck, with evidence and a fix. <see cref="Diagnose"/> runs on demand; during
/// training, add a <see cref="DoctorCallback"/>. Active probes run on a copy of the model: the user's model and
/// optimizer are never changed. A check that cannot run becomes a note, never an exception.
/// </summary>
public static class TrainingDoctor
{
    /// <summary>Diagnoses a model, its data and its training history.</summary>
    /// <param name="model">The model as trained.</param>
    /// <param name="train">The training data.</param>
    /// <param name="validation">The validation data, or null (accuracy is then judged on the training data).</param>
    /// <param name="history">The history <c>Trainer.Fit</c> returned (may be empty: history-based checks then become notes).</param>
    /// <param name="training">The options training used (loss, optimizer, batch size).</param>
    /// <param name="options">What the doctor may do; null for the defaults (probes allowed).</param>
    /// <param name="logger">Where the report is logged (Information, or Warning with warnings); null for none.</param>
    /// <returns>The findings, most confident first, and notes on what could not be checked.</returns>
    /// <exception cref="ArgumentException">The data does not fit the model (the same check as <c>Trainer.Fit</c>).</exception>
    /// <exception cref="SequenceKitException">The loss, output layer and targets do not fit together.</exception>
    public static DiagnosisReport Diagnose(SequenceModel model, SequenceDataset train, SequenceDataset? validation, History history,
        TrainerOptions training, DoctorOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(training);
        options ??= new DoctorOptions();
        if (options.SampleSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.SampleSize, $"DoctorOptions.SampleSize must be positive; got {options.SampleSize}.");
        if (options.OverfitSteps <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.OverfitSteps, $"DoctorOptions.OverfitSteps must be positive; got {options.OverfitSteps}.");
        using var context = new DiagnosisContext(model, train, validation, history, training, options);
        var report = Run(context, history.Epochs.Count > 0 ? history.Epochs[^1].Epoch : null);
        Log(report, logger);
        return report;
    }

    internal static DiagnosisReport Run(DiagnosisContext context, int? epoch)
    {
        var findings = new List<Finding>();
        var notes = new List<string>();
        var wasTraining = context.Model.training;
        foreach (var check in Checks.All)
        {
            if (check.Active && !context.Options.ActiveProbes)
            {
                notes.Add($"{check.Code} not checked: it needs an active probe and DoctorOptions.ActiveProbes is false");
                continue;
            }
            try
            {
                if (check.Run(context) is { } finding) findings.Add(finding);
            }
            catch (NotCheckableException e)
            {
                notes.Add($"{check.Code} not checked: {e.Message}");
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                notes.Add($"{check.Code} could not run: {e.GetType().Name}: {e.Message}");
            }
        }
        context.Model.train(wasTraining);
        // "Cannot learn at all" means a pipeline bug only by exclusion: when a concrete cause that prevents fitting
        // was found, the failed probe is evidence for that cause instead.
        var causes = findings.Where(f => Checks.PreventFitting.Contains(f.Code) && f.Severity >= Severity.Warning).Select(f => f.Code).ToList();
        var index = findings.FindIndex(f => f.Code == "SK011");
        if (index >= 0 && causes.Count > 0)
            findings[index] = findings[index] with
            {
                Severity = Severity.Info,
                Confidence = 0.45,
                Title = "Cannot fit one batch (explained by other findings)",
                Message = findings[index].Message.Replace("This is a pipeline bug, not a tuning problem.", $"This follows from {string.Join(", ", causes)}; fix those first.", StringComparison.Ordinal),
            };
        return new DiagnosisReport(findings, notes, epoch);
    }

    internal static void Log(DiagnosisReport report, ILogger? logger)
    {
        if (logger is null) return;
        logger.Log(report.HasWarnings ? LogLevel.Warning : LogLevel.Information, "{Report}", report.ToString());
    }
}
