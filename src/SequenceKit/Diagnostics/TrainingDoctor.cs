using System.Globalization;
using Microsoft.Extensions.Logging;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;

namespace SequenceKit.Diagnostics;

/// <summary>
/// Says why a sequence model is stuck, with evidence and a fix. Plain checks read the data, the setup and the history;
/// when the run is not healthy, a learnability baseline asks whether there is anything to learn, and controlled
/// experiments on copies of the model (the same initial weights and batches, one change each) measure which candidate
/// fix helps, against the control's own noise. <see cref="Diagnose"/> runs on demand; during training, add a
/// <see cref="DoctorCallback"/>. The user's model and optimizer are never changed; a check that cannot run becomes a note.
/// </summary>
public static class TrainingDoctor
{
    /// <summary>Diagnoses a model, its data and its training history.</summary>
    /// <param name="model">The model as trained.</param>
    /// <param name="train">The training data.</param>
    /// <param name="validation">The validation data, or null (accuracy is then judged on the training data).</param>
    /// <param name="history">The history <c>Trainer.Fit</c> returned (may be empty: history-based checks then find nothing).</param>
    /// <param name="training">The options training used (loss, optimizer, batch size, shuffling, clipping).</param>
    /// <param name="options">What the doctor may do and its time budget; null for the defaults.</param>
    /// <param name="logger">Where the report is logged (Information, or Warning with warnings); null for a logger from <see cref="SequenceKitLogging.LoggerFactory"/>.</param>
    /// <param name="cancellationToken">Stops the active part within about half a second; the report then holds what was found so far.</param>
    /// <returns>The findings, most likely cause first, and notes on what could not be checked.</returns>
    /// <exception cref="ArgumentException">The data does not fit the model (the same check as <c>Trainer.Fit</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="SequenceKitException">The loss, output layer and targets do not fit together.</exception>
    public static DiagnosisReport Diagnose(SequenceModel model, SequenceDataset train, SequenceDataset? validation, History history,
        TrainerOptions training, DoctorOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(training);
        options ??= new DoctorOptions();
        options.Validate();
        using var context = new DiagnosisContext(model, train, validation, history, training, options, cancellationToken);
        var report = Run(context, history.Epochs.Count > 0 ? history.Epochs[^1].Epoch : null);
        Log(report, logger);
        return report;
    }

    internal static DiagnosisReport Run(DiagnosisContext c, int? epoch)
    {
        var notes = new List<string>();
        var results = new List<Checks.Result>();
        var wasTraining = c.Model.training;
        try
        {
            foreach (var check in Checks.All)
            {
                if (c.CancellationToken.IsCancellationRequested) { notes.Add(Cancelled); break; }
                try { results.AddRange(check.Run(c)); }
                catch (NotCheckableException e) { notes.Add($"{check.Code} not checked: {e.Message}"); }
                catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException) { notes.Add($"{check.Code} could not run: {e.GetType().Name}: {e.Message}"); }
            }
            Status status;
            try { status = Status.Of(c); }
            catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
            {
                // Without the model's numbers only the plain checks' facts can be reported.
                notes.Add($"the model could not be evaluated, so only plain checks ran: {e.GetType().Name}: {e.Message}");
                var facts = results.Select(r => r.Decisive ? r.Finding : r.Finding with { Severity = Severity.Info, Confidence = Math.Min(r.Finding.Confidence, 0.2) }).ToList();
                return Report(c, facts, notes, epoch);
            }
            notes.Add(status.Summary);
            try { ClassImbalanceCheck.OnModel(c, results); }
            catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException) { notes.Add($"SK002 not measured on the model: {e.GetType().Name}: {e.Message}"); }
            if (c.Options.ActiveProbes && !c.CancellationToken.IsCancellationRequested) FitBaseline(c, status, notes);
            var unhealthy = status.Stuck || status.Behind;
            ActiveResult? active = null;
            if (c.CancellationToken.IsCancellationRequested) notes.Add(Cancelled);
            else if (!unhealthy) notes.Add("no experiments run: the run looks healthy");
            else if (!c.Options.ActiveProbes) notes.Add("the run is not healthy, but DoctorOptions.ActiveProbes is false: the candidate causes below are not confirmed by experiment");
            else if (!status.Stuck && results.FirstOrDefault(r => r.Decisive && r.Finding.Severity >= Severity.Warning) is { } answer)
                // A run that learns but trails the baseline, with a decisive fact that explains it (overfitting, an
                // output that cannot reach the targets): experiments would only look for a faster route.
                notes.Add($"no experiments run: the run learns but is behind the baseline, and {answer.Finding.Code} ({answer.Finding.Title}) explains it");
            else active = RunActive(c, status, results, notes);
            return Report(c, Ranking.Rank(results, active, status.Symptom(c), unhealthy, c.Options.ActiveProbes, notes), notes, epoch);
        }
        catch (OperationCanceledException)
        {
            notes.Add(Cancelled);
            return Report(c, results.Where(r => r.Decisive).Select(r => r.Finding).ToList(), notes, epoch);
        }
        finally
        {
            c.ActiveClock.Stop();
            c.Model.train(wasTraining);
        }
    }

    private static DiagnosisReport Report(DiagnosisContext c, List<Finding> findings, List<string> notes, int? epoch) =>
        new(findings, notes, epoch, c.ActiveClock.Elapsed, c.Options.TimeLimit, c.Work, c.Options.WorkBudget);

    private static void FitBaseline(DiagnosisContext c, Status status, List<string> notes)
    {
        c.ActiveClock.Start();
        c.Report("baseline");
        try
        {
            status.Baseline = Baseline.Fit(c);
            notes.Add(status.BaselineSummary(c));
        }
        catch (NotCheckableException e) { notes.Add($"baseline not fitted: {e.Message}"); }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException) { notes.Add($"baseline could not run: {e.GetType().Name}: {e.Message}"); }
        finally { c.ActiveClock.Stop(); }
    }

    /// <summary>
    /// The experiments, all or nothing: a run cut short by cancellation or by the hard time limit contributes no
    /// finding (a partial race is not a verdict), only a note saying so.
    /// </summary>
    private static ActiveResult? RunActive(DiagnosisContext c, Status status, List<Checks.Result> results, List<string> notes)
    {
        c.ActiveClock.Start();
        try
        {
            var active = ActiveDiagnosis.Run(c, status, results);
            notes.AddRange(active.Notes);
            return active;
        }
        catch (TimeLimitReachedException)
        {
            notes.Add(F($"not decided in the time allowed: the experiments reached DoctorOptions.TimeLimit ({c.Options.TimeLimit.TotalSeconds:F0} s) after {c.Work:N0} of {c.Options.WorkBudget:N0} sequence steps of work, so they contribute no finding; the findings below are the plain checks' alone"));
        }
        catch (OperationCanceledException) { notes.Add(Cancelled); }
        catch (Exception e) when (e is not OutOfMemoryException) { notes.Add($"the experiments could not run: {e.GetType().Name}: {e.Message}"); }
        finally { c.ActiveClock.Stop(); }
        return null;
    }

    private const string Cancelled = "the diagnosis was cancelled; the findings are those made before";

    /// <summary>
    /// Whether the run is still improving at its end: over the last third of the epochs (at least 2) the monitored loss
    /// (val_loss, else loss) reached a new best that beats the earlier best by 2% and by more than twice its noise (the
    /// median distance of an epoch's value from the straight line through its neighbours, which a steady trend does not
    /// inflate). Such a run is learning; a change that makes a copy learn faster is advice, not an alarm.
    /// </summary>
    internal static (bool Improving, string Text) StillImproving(DiagnosisContext c)
    {
        var name = c.Series("val_loss").Length >= 4 ? "val_loss" : "loss";
        var series = c.Series(name);
        if (series.Length < 4 || !series.All(double.IsFinite)) return (false, "");
        var recent = Math.Max(2, series.Length / 3);
        var before = series.Take(series.Length - recent).Min();
        var after = series.Skip(series.Length - recent).Min();
        var noise = Enumerable.Range(1, series.Length - 2).Select(i => Math.Abs(series[i] - (series[i - 1] + series[i + 1]) / 2)).Order().ElementAt((series.Length - 2) / 2);
        var fall = before - after;
        var improving = fall > 2 * noise && fall > 0.02 * Math.Abs(before);
        return (improving, F($"{name} still fell from {before:G4} to {after:G4} in the last {recent} epochs"));
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The category of the doctor's log lines when they go through <see cref="SequenceKitLogging.LoggerFactory"/>.</summary>
    public const string LogCategory = "SequenceKit.Diagnostics.TrainingDoctor";

    internal static void Log(DiagnosisReport report, ILogger? logger)
    {
        logger = SequenceKitLogging.Resolve(logger, LogCategory);
        logger.Log(report.HasWarnings ? LogLevel.Warning : LogLevel.Information, "{Report}", report.ToString());
    }
}
