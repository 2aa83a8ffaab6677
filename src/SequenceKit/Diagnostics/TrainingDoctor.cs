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
            try { Checks.ClassImbalanceOnModel(c, results); }
            catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException) { notes.Add($"SK002 not measured on the model: {e.GetType().Name}: {e.Message}"); }
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
            var unconfirmed = new Dictionary<Treatment, string>();                               // what each unconfirmed arm measured
            if (c.CancellationToken.IsCancellationRequested)
            {
                notes.Add(Cancelled);
            }
            else if (status.Stuck || status.Behind)
            {
                if (c.Options.ActiveProbes)
                {
                    try { Active(c, status, results, confirmed, unconfirmed, findings, notes); }
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
            var standing = false;                                                                // a measured fallback stands
            foreach (var r in results.Where(r => !r.Decisive))
            {
                if (r.Treatment is { } t && confirmed.TryGetValue(t, out var proven)) { findings.Add(proven); continue; }
                // An unconfirmed candidate quotes what its experiment measured.
                var finding = r.Treatment is { } tried && unconfirmed.TryGetValue(tried, out var line) ? r.Finding with { Message = r.Finding.Message + " " + line, Experiment = line } : r.Finding;
                if (r.Fallback && (status.Stuck || status.Behind) && (r.BesideConfirmed || !confirmed.Values.Any(f => f.Confidence >= 0.35)))
                {
                    // Measured on the user's model or history; stands unless an experiment found a cause. One that
                    // stands beside a confirmed cause is a second opinion: it ranks below the strongest confirmed one.
                    if (r.BesideConfirmed && confirmed.Count > 0)
                        finding = finding with { Confidence = Math.Min(finding.Confidence, 0.95 * confirmed.Values.Max(f => f.Confidence)) };
                    findings.Add(finding);
                    standing |= finding.Severity >= Severity.Warning && !r.BesideConfirmed;
                }
                else if (!c.Options.ActiveProbes && (status.Stuck || status.Behind)) findings.Add(finding);
                else findings.Add(finding with { Severity = Severity.Info, Confidence = Math.Min(finding.Confidence, 0.2) });
            }
            findings.AddRange(confirmed.Where(p => !results.Any(r => ReferenceEquals(r.Treatment, p.Key))).Select(p => p.Value));
            // SK011 concludes by exclusion that no cause was found; a measured finding that stands is a cause found
            // by measurement, so SK011 gives way to it and becomes a note (not to the imbalance measured on the
            // model, which any stuck model on imbalanced data shows).
            if (standing && findings.FindIndex(f => f.Code == "SK011") is var nothing and >= 0)
            {
                notes.Add("no experiment confirmed a cause; the measured findings stand: " + findings[nothing].Message);
                findings.RemoveAt(nothing);
            }
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
    private static void Active(DiagnosisContext c, Status status, List<Checks.Result> results, Dictionary<Treatment, Finding> confirmed, Dictionary<Treatment, string> unconfirmed, List<Finding> findings, List<string> notes)
    {
        c.ActiveClock.Start();
        c.ThrowIfCancelled();

        // Candidates: those the plain checks raised first, then the ones every stuck run gets.
        var treatments = results.Where(r => r.Treatment is not null).Select(r => r.Treatment!).ToList();
        var rate = c.BaseRate;
        // ÷10 and ×10 at least; further when that stays far from the optimizer family's usual rate.
        var usual = c.UsualRate ?? 1e-3;                                                          // a custom optimizer: Adam's
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
        var user = status.Stuck ? null : experiments.MeasureUser();                               // only a behind run compares with it
        var round = RunRound(c, experiments, treatments, notes);
        Confirm(c, status, results, round, user, confirmed, experiments);
        var continued = new Dictionary<Treatment, string>();                                      // unconfirmed continuations, by candidate
        // A rate far above the optimizer family's usual one may do its damage late, after a fresh copy's few steps:
        // then continue from the weights as trained, at the user's rate (two batch orders: the yardstick) and at a tenth.
        var continuations = new List<(Treatment Original, Treatment Change)>();
        if (rate >= 10 * usual && !confirmed.Keys.Any(t => t.Code == "SK006" && t.RateFactor < 1))
            continuations.Add((treatments.First(t => t.Code == "SK006" && t.RateFactor < 1), new Treatment("SK006", F($"a tenth of the rate ({rate / 10:G2})"),
                F($"Lower the learning rate to about {rate / 10:G2} (now {rate:G3}), or let a schedule lower it (ReduceLrOnPlateau, CosineDecay); LearningRateFinder.Run suggests one from a range test.")) { FromTrained = true, RateFactor = 0.1 }));
        if (continuations.Count > 0)
        {
            if (!Fits(c, 2 + continuations.Count, round.Controls[0].Time)) notes.Add("no continuation from the trained weights: not within the time budget");
            else ContinueFromTrained(c, status, experiments, continuations, results, confirmed, continued, notes);
        }
        // A slow task: the run is stuck and no change confirmed within the first round's steps. When the budget allows
        // at least twice as many steps, the control and every arm run again for longer (up to 4×), and the longer
        // round decides. Only while there is no answer at all: a decisive fact or a measured fallback at Warning or
        // above is one, and the longer round would only add time. (The imbalance measured on the model is not: any
        // stuck model on imbalanced data predicts the majority, whatever the cause.)
        var answered = results.Any(r => (r.Decisive || (r.Fallback && !r.BesideConfirmed)) && r.Finding.Severity >= Severity.Warning);
        if (status.Stuck && confirmed.Count == 0 && !answered && !c.OutOfTime)
        {
            var perArmStep = round.StepSeconds;
            var left = (c.Budget - c.ActiveClock.Elapsed).TotalSeconds;
            var arms = round.Controls.Count + treatments.Count;                                 // the longer round tries every arm
            var longer = (int)Math.Min(4 * experiments.Steps, 0.85 * left / Math.Max(1e-6, arms * perArmStep * 1.15));
            if (longer >= 2 * experiments.Steps)
            {
                notes.Add(F($"no change confirmed in {experiments.Steps} steps; the experiments ran again for {longer} steps"));
                experiments.SetSteps(longer);
                round = RunRound(c, experiments, treatments, notes);
                Confirm(c, status, results, round, user, confirmed, experiments);
            }
        }
        // Unconfirmed candidates quote what their experiment measured (and their continuation, if one ran), so the
        // report shows the counterfactual either way.
        foreach (var o in round.Outcomes.Where(o => !confirmed.ContainsKey(o.T)))
            unconfirmed[o.T] = F($"Tried: with {o.T.Name}, a copy's {What(c, round, o, experiments)}; {o.Effect:F1}× the control's own noise, not enough to confirm it.")
                + (continued.TryGetValue(o.T, out var more) ? " " + more : "");
        var outcomes = round.Outcomes;
        var control = round.Control;
        var learnable = outcomes.Any(o => o.Learned && o.Effect >= 3) || control < 0.9;

        // Nothing to learn: the model and the baseline both at the trivial score, and no change made a copy learn.
        if (status.LabelsVerdict(c, learnable) is { } labels) findings.Add(labels);
        else if (status.Stuck && confirmed.Count == 0 && outcomes.Count == 0)
            notes.Add("no change could be tried within the time budget, so nothing is concluded from the experiments; a larger DoctorOptions.TimeBudget lets them run");
        else if (status.Stuck && confirmed.Count == 0)
            findings.Add(new Finding("SK011", "Nothing tried made a copy learn", Severity.Warning, 0.3,
                F($"The model is stuck and none of the {outcomes.Count} changes tried improved a copy beyond the control's noise (best: {outcomes.MaxBy(o => o.Effect)!.T.Name}).") +
                    " " + unconfirmed[outcomes.MaxBy(o => o.Effect)!.T],
                Checks.E(("changes tried", outcomes.Count), ("control relative loss", control)),
                "Check the data pipeline: inputs that are constant or all padding, labels misaligned with inputs (apply the same row indices: DataSplit.Take), targets in the wrong form, or a custom layer that detaches its output.")
            { Experiment = unconfirmed[outcomes.MaxBy(o => o.Effect)!.T] });
    }

    /// <summary>Whether <paramref name="arms"/> more arms, each taking about <paramref name="perArm"/>, fit the time left.</summary>
    private static bool Fits(DiagnosisContext c, int arms, TimeSpan perArm) => c.ActiveClock.Elapsed + arms * perArm * 1.1 <= c.Budget;

    /// <summary>
    /// Continuation experiments: from the weights as trained, the setup unchanged for the experiments' step count (two
    /// batch orders, whose spread is the yardstick) against each change. They show a fault that a fresh copy's few
    /// steps do not reproduce: a rate far too high keeps the trained weights bouncing (at a tenth the loss falls at
    /// once). Changes are judged by the loss (class weights continued from a collapsed model were tried, but on short
    /// runs continuing unchanged escaped the collapse as often, so they are not run). A change counts when its gain
    /// is at least 4× the spread and closes at least 30% of the gap to a perfect score (lowering any rate at the end of
    /// training gives a modest fall).
    /// </summary>
    private static void ContinueFromTrained(DiagnosisContext c, Status status, Experiments experiments, List<(Treatment Original, Treatment Change)> changes,
        List<Checks.Result> results, Dictionary<Treatment, Finding> confirmed, Dictionary<Treatment, string> continued, List<string> notes)
    {
        var same = new Treatment("", "the setup unchanged, from the trained weights", "") { FromTrained = true };
        c.Report("experiment: continuation from the trained weights");
        var a = experiments.Run(same, seed: 1);
        c.ThrowIfCancelled();
        var b = experiments.Run(same, seed: 2);
        var (improving, _) = status.Stuck ? (false, "") : StillImproving(c);
        var control = Math.Exp((LogOf(a.Relative) + LogOf(b.Relative)) / 2);
        var noise = Math.Max(Math.Abs(LogOf(a.Relative) - LogOf(b.Relative)), 0.015);
        foreach (var (original, change) in changes)
        {
            c.ThrowIfCancelled();
            var r = experiments.Run(change, seed: 1);
            var effect = (LogOf(control) - LogOf(r.Relative)) / noise;
            var closed = Math.Clamp((control - Capped(r.Relative)) / Math.Max(control, 1e-9), 0, 1);
            var what = F($"{c.LossName} on {experiments.ProbeRows} {c.EvaluatedName} rows went from {r.InitialLoss:G3} to {r.FinalLoss:G3} in {r.Steps} steps; unchanged, {a.InitialLoss:G3} → {a.FinalLoss:G3} (second batch order: {b.FinalLoss:G3})");
            var learned = r.Relative < 0.9;
            notes.Add(F($"continuation from the trained weights with {change.Name}: gain {effect:F1}× the spread between batch orders, closing {closed:P0} of the gap"));
            if (!(effect >= 4 && closed >= 0.3 && learned))
            {
                continued[original] = F($"Tried: continuing from the trained weights with {change.Name}, a copy's {what}; {effect:F1}× the spread between batch orders, not enough to confirm it.");
                continue;
            }
            var experiment = F($"Continuing from the trained weights with {change.Name}, a copy's {what}. The gain is {effect:F1}× the spread between batch orders and closes {closed:P0} of the gap to a perfect score.");
            var plain = results.FirstOrDefault(x => ReferenceEquals(x.Treatment, original));
            confirmed[original] = UnderPlainCheck(plain, new Finding(change.Code, change.Code == "SK006" ? "Learning rate too high" : Title(original), status.Stuck ? Severity.Critical : improving ? Severity.Info : Severity.Warning,
                ConfidenceOf(effect, closed, plain is not null), experiment,
                Checks.E(("effect size (× control noise)", effect), ("steps", r.Steps), ("treatment relative loss", r.Relative), ("treatment balanced accuracy", r.BalancedAccuracy)), change.Fix) { Experiment = experiment });
        }
    }

    /// <summary>One arm's outcome against the control.</summary>
    private sealed record Outcome(Treatment T, ArmResult R, double Effect, double Gain, double Closed, bool ByBalanced, bool Learned);

    /// <summary>One round of experiments: the control's seeds, its yardsticks, and every arm tried.</summary>
    private sealed class Round
    {
        public List<ArmResult> Controls { get; } = [];
        public double Control { get; set; }
        public double ControlBalanced { get; set; }
        public double Noise { get; set; }
        public double BalancedNoise { get; set; }
        public List<Outcome> Outcomes { get; } = [];
        public double StepSeconds { get; set; }
    }

    // Losses are compared on a log scale: a diverging control (relative loss 14 on one seed, 7 on the other) is as
    // noisy as its ratio says, and near 1 the log is the relative change.
    // Capped: a diverging arm (relative loss NaN or ∞) counts as 1e6, so the control's spread and the gains stay finite.
    private static double Capped(double relative) => double.IsNaN(relative) ? 1e6 : Math.Clamp(relative, 1e-6, 1e6);

    private static double LogOf(double relative) => Math.Log(Capped(relative));

    /// <summary>The mean absolute difference over all pairs (for two values, their distance).</summary>
    private static double MeanPairwise(IReadOnlyList<double> values)
    {
        double sum = 0;
        var pairs = 0;
        for (var i = 0; i < values.Count; i++)
            for (var j = i + 1; j < values.Count; j++) { sum += Math.Abs(values[i] - values[j]); pairs++; }
        return pairs == 0 ? 0 : sum / pairs;
    }

    /// <summary>The control, its yardsticks, and each treatment measured against them.</summary>
    private static Round RunRound(DiagnosisContext c, Experiments experiments, List<Treatment> treatments, List<string> notes)
    {
        var round = new Round();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var arms = 0;
        c.Report("control");
        round.Controls.Add(experiments.Run(null, seed: 1));
        c.ThrowIfCancelled();
        round.Controls.Add(experiments.Run(null, seed: 2));
        arms += 2;
        // A split control: one seed learns and the other does not (rare classes, a rate near divergence), so that the
        // balanced accuracies differ by 0.2 or the losses by a third. A spread from two seeds is itself a poor estimate;
        // two more seeds are run, and the mean and the mean pairwise spread of all four are the yardstick.
        if (((c.IsClassification && Math.Abs(round.Controls[0].BalancedAccuracy - round.Controls[1].BalancedAccuracy) >= 0.2)
            || Math.Abs(LogOf(round.Controls[0].Relative) - LogOf(round.Controls[1].Relative)) >= 0.3) && Fits(c, 2 + treatments.Count, round.Controls[0].Time))
        {
            c.ThrowIfCancelled();
            round.Controls.Add(experiments.Run(null, seed: 3));
            c.ThrowIfCancelled();
            round.Controls.Add(experiments.Run(null, seed: 4));
            arms += 2;
            notes.Add("the control's two seeds disagreed, so two more seeds were run");
        }
        var logs = round.Controls.Select(a => LogOf(a.Relative)).ToArray();
        round.Control = Math.Exp(logs.Average());                                              // geometric mean
        round.ControlBalanced = round.Controls.Average(a => a.BalancedAccuracy);
        round.Noise = Math.Max(MeanPairwise(logs), 0.015);
        round.BalancedNoise = Math.Max(MeanPairwise(round.Controls.Select(a => a.BalancedAccuracy).ToArray()), 0.02);
        var skipped = new List<string>();
        foreach (var t in treatments)
        {
            c.ThrowIfCancelled();
            if (c.OutOfTime) { skipped.Add(t.Name); continue; }
            c.Report("experiment: " + t.Name);
            var r = experiments.Run(t, seed: 1);
            arms++;
            var lossGain = LogOf(round.Control) - LogOf(r.Relative);
            var balancedGain = r.BalancedAccuracy - round.ControlBalanced;
            // Two yardsticks for classification, the loss and the balanced accuracy (class weights: only the latter);
            // each gives the significance (gain / the control's noise) and the share of the gap to perfect it closed.
            var byLoss = (Gain: lossGain, Effect: lossGain / round.Noise, Closed: (round.Control - Capped(r.Relative)) / Math.Max(round.Control, 1e-9));
            var byBalanced = (Gain: balancedGain, Effect: balancedGain / round.BalancedNoise, Closed: balancedGain / Math.Max(1 - round.ControlBalanced, 1e-9));
            var balanced = t.ByBalancedAccuracy || (c.IsClassification && byBalanced.Effect >= 3 && byBalanced.Closed > byLoss.Closed);
            var best = balanced ? byBalanced : byLoss;
            // A fix must make the copy learn: beat the trivial predictor, not only the control.
            var learned = r.Relative < 0.9 || (c.IsClassification && r.BalancedAccuracy >= 1.0 / c.ClassCount + 0.1);
            round.Outcomes.Add(new Outcome(t, r, best.Effect, best.Gain, Math.Clamp(best.Closed, 0, 1), balanced, learned));
        }
        round.StepSeconds = clock.Elapsed.TotalSeconds / Math.Max(1, arms * experiments.Steps);
        if (skipped.Count > 0) notes.Add($"not tried within the time budget of {c.Budget.TotalSeconds:F0} s: {string.Join("; ", skipped)}");
        notes.Add(F($"experiments: {experiments.Steps} steps each on {experiments.TrainRows} training rows, measured on {experiments.ProbeRows} {c.EvaluatedName} rows; control {c.LossName} relative to the trivial predictor {string.Join(" and ", round.Controls.Select(a => a.Relative.ToString("F3", CultureInfo.InvariantCulture)))} ({round.Controls.Count} seeds)"));
        return round;
    }

    /// <summary>What an arm reached against the control, in words ("cross-entropy on 200 validation rows fell from …").</summary>
    private static string What(DiagnosisContext c, Round round, Outcome o, Experiments experiments)
    {
        var (a, b) = (round.Controls[0], round.Controls[1]);
        return o.ByBalanced
            ? F($"balanced accuracy on {experiments.ProbeRows} {c.EvaluatedName} rows reached {o.R.BalancedAccuracy:F3} in {o.R.Steps} steps; unchanged, {string.Join(", ", round.Controls.Select(x => x.BalancedAccuracy.ToString("F3", CultureInfo.InvariantCulture)))} ({round.Controls.Count} seeds)")
            : F($"{c.LossName} on {experiments.ProbeRows} {c.EvaluatedName} rows fell from {o.R.InitialLoss:G3} to {o.R.FinalLoss:G3} in {o.R.Steps} steps; unchanged, {a.InitialLoss:G3} → {a.FinalLoss:G3} (second seed: {b.FinalLoss:G3})");
    }

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

    /// <summary>Turns the round's strong outcomes into confirmed findings.</summary>
    private static void Confirm(DiagnosisContext c, Status status, List<Checks.Result> results, Round round, ArmResult? user, Dictionary<Treatment, Finding> confirmed, Experiments experiments)
    {
        var controlFailed = round.Control >= 0.8 || (c.IsClassification && round.ControlBalanced <= 1.0 / c.ClassCount + 0.1);
        var (improving, improvingText) = status.Stuck ? (false, "") : StillImproving(c);
        foreach (var o in round.Outcomes.OrderByDescending(o => o.Closed))
        {
            // A run that is only behind the baseline: the copies must show what the run lacks. Either the control copy
            // does not learn, or the changed copy reached, in these few steps, a better score than the user's model
            // did in its whole training.
            var beatsUser = user is not null && (o.ByBalanced
                ? o.R.BalancedAccuracy - user.BalancedAccuracy > round.BalancedNoise
                : LogOf(user.Relative) - LogOf(o.R.Relative) > Math.Max(round.Noise, 0.1));
            var strongEnough = o.Learned && (status.Stuck ? o.Effect >= 3 && o.Gain >= 0.05 : (controlFailed || beatsUser) && o.Effect >= 4 && o.Gain >= 0.1);
            if (!strongEnough || confirmed.ContainsKey(o.T)) continue;
            var original = results.FirstOrDefault(x => ReferenceEquals(x.Treatment, o.T));
            var severity = status.Stuck ? Severity.Critical : improving ? Severity.Info : Severity.Warning;
            var experiment = F($"With {o.T.Name}, a copy's {What(c, round, o, experiments)}. The gain is {o.Effect:F1}× the control's own noise and closes {o.Closed:P0} of the gap to a perfect score.");
            confirmed[o.T] = UnderPlainCheck(original, new Finding(o.T.Code, Title(o.T), severity, ConfidenceOf(o.Effect, o.Closed, original is not null),
                experiment + (improving ? F($" The run is still learning ({improvingText}), so this is a faster route, not a fault.") : ""),
                Checks.E(("control relative loss", round.Control), ("treatment relative loss", o.R.Relative), ("effect size (× control noise)", o.Effect), ("steps", o.R.Steps),
                    ("control balanced accuracy", round.ControlBalanced), ("treatment balanced accuracy", o.R.BalancedAccuracy)),
                o.T.Fix) { Experiment = experiment });
        }
    }

    /// <summary>
    /// A confirmed change's confidence: the significance (effect / (effect + 4)), weighted by how much of the gap the
    /// change closed. A fix that a plain check pointed at has two pieces of evidence; the generic arms (rate, width)
    /// only one, so theirs is × 0.9.
    /// </summary>
    private static double ConfidenceOf(double effect, double closed, bool pointedAt) => effect / (effect + 4) * (0.5 + 0.5 * closed) * (pointedAt ? 1 : 0.9);

    /// <summary>A confirmed finding under the plain check that pointed at it (its title, its message first, both evidences), or as it is.</summary>
    private static Finding UnderPlainCheck(Checks.Result? plain, Finding finding) => plain is null ? finding
        : finding with { Title = plain.Finding.Title, Message = plain.Finding.Message + " " + finding.Message, Evidence = Merge(plain.Finding.Evidence, finding.Evidence) };

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
