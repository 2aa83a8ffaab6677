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
        var findings = new List<Finding>();
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
                findings.AddRange(results.Select(r => r.Decisive ? r.Finding : r.Finding with { Severity = Severity.Info, Confidence = Math.Min(r.Finding.Confidence, 0.2) }));
                return new DiagnosisReport(findings, notes, epoch, c.ActiveClock.Elapsed, c.Budget);
            }
            notes.Add(status.Summary);
            if (c.Options.ActiveProbes && !c.CancellationToken.IsCancellationRequested)
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
                c.ActiveClock.Stop();
            }
            var decisive = results.Where(r => r.Decisive).Select(r => r.Finding).ToList();
            var confirmed = new Dictionary<Treatment, Finding>();
            if (c.CancellationToken.IsCancellationRequested)
            {
                notes.Add(Cancelled);
            }
            else if (status.Stuck || status.Behind)
            {
                if (c.Options.ActiveProbes)
                {
                    try { Active(c, status, results, confirmed, findings, notes); }
                    catch (OperationCanceledException) { notes.Add(Cancelled); }            // what was found so far is still reported
                    catch (Exception e) when (e is not OutOfMemoryException) { notes.Add($"the experiments could not run: {e.GetType().Name}: {e.Message}"); }
                    finally { c.ActiveClock.Stop(); }
                }
                else notes.Add("the run is not healthy, but DoctorOptions.ActiveProbes is false: the candidate causes below are not confirmed by experiment");
            }
            else
            {
                notes.Add("no experiments run: the run looks healthy");
            }
            findings.AddRange(decisive);
            foreach (var r in results.Where(r => !r.Decisive))
            {
                if (r.Treatment is { } t && confirmed.TryGetValue(t, out var proven)) findings.Add(proven);
                else if (r.Fallback && (status.Stuck || status.Behind) && !confirmed.Values.Any(f => f.Confidence >= 0.35)) findings.Add(r.Finding);   // measured on the user's model or history; stands unless an experiment found a cause
                else if (!c.Options.ActiveProbes && (status.Stuck || status.Behind)) findings.Add(r.Finding);
                else findings.Add(r.Finding with { Severity = Severity.Info, Confidence = Math.Min(r.Finding.Confidence, 0.2) });
            }
            findings.AddRange(confirmed.Where(p => !results.Any(r => ReferenceEquals(r.Treatment, p.Key))).Select(p => p.Value));
            if (status.Symptom(c) is { } symptom) findings.Add(symptom);
            // Causes explain symptoms: unscaled inputs or targets, confirmed by experiment, make gradients explode and
            // losses overflow; that finding then ranks below its cause.
            // Gradient norms measured on the model (not a non-finite loss) follow from unscaled data whenever a scale
            // finding stands, confirmed or not.
            if (findings.Where(f => f.Code is "SK003" or "SK012" && f.Severity >= Severity.Warning).Select(f => f.Confidence).DefaultIfEmpty(0).Max() is var cause and > 0)
                for (var i = 0; i < findings.Count; i++)
                    if (findings[i].Code == "SK005" && findings[i].Confidence >= cause && (confirmed.Values.Any(f => f.Code is "SK003" or "SK012") || findings[i].Evidence.ContainsKey("median gradient norm")))
                        findings[i] = findings[i] with { Confidence = cause * 0.9, Message = findings[i].Message + " It follows from the scale finding ranked above it." };
        }
        catch (OperationCanceledException)
        {
            notes.Add(Cancelled);
            findings.AddRange(results.Where(r => r.Decisive).Select(r => r.Finding));
        }
        finally
        {
            c.ActiveClock.Stop();
            c.Model.train(wasTraining);
        }
        // One finding per code: the most confident.
        var best = findings.GroupBy(f => f.Code).Select(g => g.OrderByDescending(f => f.Severity > Severity.Info).ThenByDescending(f => f.Confidence).First());
        return new DiagnosisReport(best, notes, epoch, c.ActiveClock.Elapsed, c.Budget);
    }

    private const string Cancelled = "the diagnosis was cancelled; the findings are those made before";

    /// <summary>The baseline, the labels verdict and the controlled experiments.</summary>
    private static void Active(DiagnosisContext c, Status status, List<Checks.Result> results, Dictionary<Treatment, Finding> confirmed, List<Finding> findings, List<string> notes)
    {
        c.ActiveClock.Start();
        c.ThrowIfCancelled();

        // Candidates: those the plain checks raised first, then the ones every stuck run gets.
        var treatments = results.Where(r => r.Treatment is not null).Select(r => r.Treatment!).ToList();
        var rate = c.BaseRate;
        // ÷10 and ×10 at least; further when that stays far from the optimizer family's usual rate.
        var usual = c.Training.Optimizer is Training.Optimizers.Sgd ? 0.05 : 1e-3;
        var down = Math.Clamp(rate / usual, 10, 1000);
        var up = Math.Clamp(usual / rate, 10, 1000);
        treatments.Add(new Treatment("SK006", F($"the learning rate ÷{down:G3} ({rate / down:G2})"), F($"Lower the learning rate to about {rate / down:G2} (now {rate:G3}); LearningRateFinder.Run suggests one from a range test.")) { RateFactor = 1 / down });
        treatments.Add(new Treatment("SK006", F($"the learning rate ×{up:G3} ({rate * up:G2})"), F($"Raise the learning rate to about {rate * up:G2} (now {rate:G3}); LearningRateFinder.Run suggests one from a range test.")) { RateFactor = up });
        if (c.Model.Layers.OfType<RecurrentLayer>().Any() && !treatments.Any(t => t.Code == "SK004") && c.Model.Layers.OfType<SimpleRnn>().Any())
            treatments.Add(Checks.GatedInsteadOfSimple("Replace SimpleRnn with Gru or Lstm (same units)."));
        if (c.Model.Layers.OfType<RecurrentLayer>().Any())
        {
            var units = c.Model.Layers.OfType<RecurrentLayer>().Min(l => l.Units);
            var wider = Math.Max(32, 4 * units);
            treatments.Add(new Treatment("SK015", F($"{wider} units per recurrent layer (now {units})"), F($"Give the recurrent layers more units (about {wider}), or stack a second layer (RecurrentOptions.Layers = 2)."))
            {
                Layers = l => l switch
                {
                    Lstm r => new Lstm(Math.Max(wider, r.Units), r.Options),
                    Gru r => new Gru(Math.Max(wider, r.Units), r.Options),
                    SimpleRnn r => new SimpleRnn(Math.Max(wider, r.Units), (SimpleRnnOptions)r.Options),
                    _ => l,
                },
            });
        }

        var experiments = new Experiments(c);
        experiments.FitBudget(2 + treatments.Count);
        c.Report("control");
        var controlA = experiments.Run(null, seed: 1);
        c.ThrowIfCancelled();
        var controlB = experiments.Run(null, seed: 2);
        var control = Math.Sqrt(Capped(controlA.Relative) * Capped(controlB.Relative));      // geometric mean
        var controlBalanced = (controlA.BalancedAccuracy + controlB.BalancedAccuracy) / 2;
        // Losses are compared on a log scale: a diverging control (relative loss 14 on one seed, 7 on the other) is as
        // noisy as its ratio says, and near 1 the log is the relative change.
        // Capped: a diverging arm (relative loss NaN or ∞) counts as 1e6, so the control's spread and the gains stay finite.
        static double Capped(double relative) => double.IsNaN(relative) ? 1e6 : Math.Clamp(relative, 1e-6, 1e6);
        static double Log(double relative) => Math.Log(Capped(relative));
        var noise = Math.Max(Math.Abs(Log(controlA.Relative) - Log(controlB.Relative)), 0.015);
        var balancedNoise = Math.Max(Math.Abs(controlA.BalancedAccuracy - controlB.BalancedAccuracy), 0.02);
        var lossName = c.IsClassification ? "cross-entropy" : "loss";
        var outcomes = new List<(Treatment T, ArmResult R, double Effect, double Gain, double Closed, bool ByBalanced, bool Learned)>();
        var skipped = new List<string>();
        foreach (var t in treatments)
        {
            c.ThrowIfCancelled();
            if (c.OutOfTime) { skipped.Add(t.Name); continue; }
            c.Report("experiment: " + t.Name);
            var r = experiments.Run(t, seed: 1);
            // Classification: the better of two yardsticks, the loss and the balanced accuracy (class weights: only the latter).
            var lossGain = Log(control) - Log(r.Relative);
            var balancedGain = r.BalancedAccuracy - controlBalanced;
            // Two yardsticks for classification, the loss and the balanced accuracy (class weights: only the latter);
            // each gives the significance (gain / the control's noise) and the share of the gap to perfect it closed.
            var byLoss = (Gain: lossGain, Effect: lossGain / noise, Closed: (control - Capped(r.Relative)) / Math.Max(control, 1e-9));
            var byBalanced = (Gain: balancedGain, Effect: balancedGain / balancedNoise, Closed: balancedGain / Math.Max(1 - controlBalanced, 1e-9));
            var balanced = t.ByBalancedAccuracy || (c.IsClassification && byBalanced.Effect >= 3 && byBalanced.Closed > byLoss.Closed);
            var best = balanced ? byBalanced : byLoss;
            // A fix must make the copy learn: beat the trivial predictor, not only the control.
            var learned = r.Relative < 0.9 || (c.IsClassification && r.BalancedAccuracy >= 1.0 / c.ClassCount + 0.1);
            outcomes.Add((t, r, best.Effect, best.Gain, Math.Clamp(best.Closed, 0, 1), balanced, learned));
        }
        if (skipped.Count > 0) notes.Add($"not tried within the time budget of {c.Budget.TotalSeconds:F0} s: {string.Join("; ", skipped)}");
        notes.Add(F($"experiments: {experiments.Steps} steps each on {experiments.TrainRows} training rows, measured on {experiments.ProbeRows} {c.EvaluatedName} rows; control {lossName} relative to the trivial predictor {controlA.Relative:F3} and {controlB.Relative:F3} (two seeds)"));

        var controlFailed = control >= 0.8 || (c.IsClassification && controlBalanced <= 1.0 / c.ClassCount + 0.1);
        var learnable = outcomes.Any(o => o.Learned && o.Effect >= 3) || control < 0.9;
        foreach (var (t, r, effect, gain, closed, byBalanced, learned) in outcomes.OrderByDescending(o => o.Closed))
        {
            // A run that is only behind the baseline: the control copy must show the problem (not learn) for a fix to be credited.
            var strongEnough = learned && (status.Stuck ? effect >= 3 && gain >= 0.05 : controlFailed && effect >= 4 && gain >= 0.1);
            if (!strongEnough) continue;
            // Confidence: the significance (effect / (effect + 4)), weighted by how much of the gap the change closed.
            var confidence = effect / (effect + 4) * (0.5 + 0.5 * closed);
            // A fix that a plain check pointed at has two pieces of evidence; the generic arms (rate, width) only one.
            var original = results.FirstOrDefault(x => ReferenceEquals(x.Treatment, t));
            if (original is null) confidence *= 0.9;
            var what = byBalanced
                ? F($"balanced accuracy on {experiments.ProbeRows} {c.EvaluatedName} rows reached {r.BalancedAccuracy:F3} in {r.Steps} steps; unchanged, {controlA.BalancedAccuracy:F3} and {controlB.BalancedAccuracy:F3} (two seeds)")
                : F($"{lossName} on {experiments.ProbeRows} {c.EvaluatedName} rows fell from {r.InitialLoss:G3} to {r.FinalLoss:G3} in {r.Steps} steps; unchanged, {controlA.InitialLoss:G3} → {controlA.FinalLoss:G3} (second seed: {controlB.FinalLoss:G3})");
            var finding = new Finding(t.Code, Title(t), status.Stuck ? Severity.Critical : Severity.Warning, confidence,
                F($"With {t.Name}, a copy's {what}. The gain is {effect:F1}× the control's own noise and closes {closed:P0} of the gap to a perfect score."),
                Checks.E(("control relative loss", control), ("treatment relative loss", r.Relative), ("effect size (× control noise)", effect), ("steps", r.Steps),
                    ("control balanced accuracy", controlBalanced), ("treatment balanced accuracy", r.BalancedAccuracy)),
                t.Fix);
            if (original is not null) finding = finding with { Title = original.Finding.Title, Message = original.Finding.Message + " " + finding.Message, Evidence = Merge(original.Finding.Evidence, finding.Evidence) };
            if (!confirmed.ContainsKey(t)) confirmed[t] = finding;
        }

        // Nothing to learn: the model and the baseline both at the trivial score, and no change made a copy learn.
        if (status.LabelsVerdict(c, learnable) is { } labels) findings.Add(labels);
        else if (status.Stuck && confirmed.Count == 0)
            findings.Add(new Finding("SK011", "Nothing tried made a copy learn", Severity.Warning, 0.3,
                F($"The model is stuck and none of the {outcomes.Count} changes tried improved a copy beyond the control's noise (best: {(outcomes.Count == 0 ? "none" : outcomes.MaxBy(o => o.Effect).T.Name)})."),
                Checks.E(("changes tried", outcomes.Count), ("control relative loss", control)),
                "Check the data pipeline: inputs that are constant or all padding, labels misaligned with inputs (apply the same row indices: DataSplit.Take), targets in the wrong form, or a custom layer that detaches its output."));
    }

    private static string Title(Treatment t) => t.Code switch
    {
        "SK003" => "Inputs are not scaled",
        "SK004" => "Gradients vanish through time",
        "SK006" => t.RateFactor < 1 ? "Learning rate too high" : "Learning rate too low",
        "SK012" => "Regression targets are not scaled",
        "SK014" => "Training batches are ordered",
        "SK015" => "Too little capacity",
        "SK016" => "Too much regularization or constraint",
        "SK002" => "Imbalanced classes",
        _ => t.Name,
    };

    private static Dictionary<string, double> Merge(IReadOnlyDictionary<string, double> a, IReadOnlyDictionary<string, double> b)
    {
        var merged = new Dictionary<string, double>(a);
        foreach (var (k, v) in b) merged[k] = v;
        return merged;
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
