using System.Globalization;
using SequenceKit.Layers;

namespace SequenceKit.Diagnostics;

/// <summary>What the active part found: confirmed causes, what each unconfirmed candidate's experiment measured, findings of its own (SK011, SK013) and notes.</summary>
internal sealed class ActiveResult
{
    public Dictionary<Treatment, Finding> Confirmed { get; } = [];
    public Dictionary<Treatment, string> Unconfirmed { get; } = [];
    public List<Finding> Findings { get; } = [];
    public List<string> Notes { get; } = [];
}

/// <summary>
/// The controlled experiments of a run that is not healthy: the candidate changes (those the plain checks raised,
/// then a rate ÷10 and ×10, a gated cell for a SimpleRnn, more units), raced against the unchanged control
/// (<see cref="Race"/>); a continuation from the trained weights for a rate far above the usual; and the verdicts
/// that need the experiments (labels that do not follow from the inputs, nothing that helped).
/// </summary>
internal static class ActiveDiagnosis
{
    public static ActiveResult Run(DiagnosisContext c, Status status, IReadOnlyList<Checks.Result> results)
    {
        var found = new ActiveResult();
        c.ThrowIfCancelled();
        var treatments = Candidates(c, results);
        var byControl = treatments.Where(t => t.TestedByControl).ToList();
        treatments.RemoveAll(t => t.TestedByControl);
        var experiments = new Experiments(c);
        var user = status.Stuck ? null : experiments.MeasureUser();                               // only a behind run compares with it
        var tone = Tone.Of(c, status);
        // Every joinable change together: when no single change is enough (unscaled inputs and a slow optimizer and a
        // SimpleRnn), the joint arm still learns, and ablating it names the changes that are needed.
        var joinable = treatments.Where(t => t.Joinable).ToList();
        var joint = joinable.Count >= 2 ? Treatment.Combine(joinable) : null;
        var race = new Race(c, experiments);
        Func<Yardstick, Outcome, bool> strong = (y, o) => StrongEnough(c, status, y, o, user);
        race.Run(joint is null ? treatments : [.. treatments, joint], strong, found.Notes);
        var jointConfirmed = joint is not null && race.Outcomes.Any(o => ReferenceEquals(o.T, joint) && o.Verdict == ArmVerdict.Confirmed);
        if (jointConfirmed && !race.Outcomes.Any(o => o.Verdict == ArmVerdict.Confirmed && o.T.Members.Count == 0))
            Ablate(c, tone, experiments, race, race.Outcomes.First(o => ReferenceEquals(o.T, joint)), results, strong, found);
        foreach (var o in race.Outcomes.Where(o => o.Verdict == ArmVerdict.Confirmed && o.T.Members.Count == 0))
            found.Confirmed[o.T] = ConfirmedFinding(c, tone, experiments, race.Yardstick!, o, results.FirstOrDefault(x => ReferenceEquals(x.Treatment, o.T)));
        var controlLearned = race.Yardstick is { } control && control.Controls.All(a => Learned(c, a));
        if (race.Yardstick is { } y && (status.Stuck ? controlLearned : user is not null && y.Controls.All(a => BeatsUser(c, y, a, user))))
            ConfirmByControl(c, status, race, experiments, byControl, results, user, found);
        var continued = Continue(c, tone, experiments, race, treatments, results, found);
        // Unconfirmed candidates quote what their experiment measured (and their continuation, if one ran), so the
        // report shows the counterfactual either way.
        foreach (var o in race.Outcomes.Where(o => !found.Confirmed.ContainsKey(o.T) && !found.Unconfirmed.ContainsKey(o.T)))
            found.Unconfirmed[o.T] = F($"Tried: with {o.T.Name}, a copy's {What(c, race.Yardstick!, o, experiments)}; {o.Effect:F1}× the control's own noise, {Race.Ended(o)}.")
                + (continued.TryGetValue(o.T, out var more) ? " " + more : "");
        var outcomes = race.Outcomes;
        var learnable = outcomes.Any(o => o.Learned && o.Effect >= Race.ConfirmEffect) || (race.Yardstick?.Control ?? 1) < 0.9;

        // Nothing to learn: the model and the baseline both at the trivial score, and no change made a copy learn.
        if (race.Yardstick is not null && status.LabelsVerdict(c, learnable) is { } labels) found.Findings.Add(labels);
        else if (status.Stuck && found.Confirmed.Count == 0 && outcomes.Count == 0)
            found.Notes.Add("no change could be tried within the work budget, so nothing is concluded from the experiments; a larger DoctorOptions.WorkBudget lets them run");
        else if (status.Stuck && found.Confirmed.Count == 0 && jointConfirmed)
            found.Notes.Add(F($"{joint!.Name} made copies learn, but no part of it was needed on its own (the others did without each one): apply them together, or try them one at a time"));
        else if (status.Stuck && found.Confirmed.Count == 0 && controlLearned)
            found.Notes.Add(F($"the unchanged setup learned in the experiments ({race.Yardstick!.Relatives} of the trivial predictor's {c.LossName} after {race.StepsReached} steps on {experiments.TrainRows} rows): the model can learn this task, so the difference lies in how the run trained (its updates, its data, its weights)"));
        else if (status.Stuck && found.Confirmed.Count == 0)
        {
            var best = outcomes.MaxBy(o => o.Effect)!;
            found.Findings.Add(new Finding("SK011", Catalog.Title("SK011"), Severity.Warning, 0.3,
                F($"The model is stuck and none of the {outcomes.Count} changes tried improved a copy beyond the control's noise (best: {best.T.Name}).") + " " + found.Unconfirmed[best.T],
                Checks.E(("changes tried", outcomes.Count), ("control relative loss", race.Yardstick!.Control), ("steps", race.StepsReached)),
                Catalog.Fix("SK011"))
            { Experiment = found.Unconfirmed[best.T] });
        }
        return found;
    }

    /// <summary>A change confirmed on its own: the finding quotes both seeds' result against the control, with its evidence.</summary>
    private static Finding ConfirmedFinding(DiagnosisContext c, Tone tone, Experiments experiments, Yardstick y, Outcome o, Checks.Result? original)
    {
        var experiment = F($"With {o.T.Name}, a copy's {What(c, y, o, experiments)}. The gain is {o.Effect:F1}× the control's own noise, beats each of its {y.Controls.Count} seeds, and closes {o.Closed:P0} of the gap to a perfect score; a second seed agreed ({Reached(c, o.ByBalanced, o.Replicate!)}).");
        var evidence = Checks.E(("control relative loss", y.Control), ("treatment relative loss", o.R.Relative), ("effect size (× control noise)", o.Effect), ("steps", o.R.Steps), ("rows", o.R.Rows),
            ("control balanced accuracy", y.ControlBalanced), ("treatment balanced accuracy", o.R.BalancedAccuracy));
        if (o.T.RateFactor != 1 && o.T.Optimizer is null) evidence[Finding.SuggestedLearningRate] = c.BaseRate * o.T.RateFactor;
        return UnderPlainCheck(original, new Finding(o.T.Code, Catalog.TitleOf(o.T), tone.Severity, ConfidenceOf(o.Effect, o.Closed, original is not null),
            experiment + tone.StillLearning, evidence, o.T.Fix) { Experiment = experiment, ConfirmedByExperiment = true });
    }

    /// <summary>Candidates: those the plain checks raised first, then the ones every stuck run gets.</summary>
    private static List<Treatment> Candidates(DiagnosisContext c, IReadOnlyList<Checks.Result> results)
    {
        var treatments = results.Where(r => r.Treatment is not null).Select(r => r.Treatment!).ToList();
        var rate = c.BaseRate;
        // ÷10 and ×10 at least; further when that stays far from the optimizer family's usual rate.
        var usual = c.UsualRate ?? 1e-3;                                                          // a custom optimizer: Adam's
        var down = Math.Clamp(rate / usual, 10, 1000);
        var up = Math.Clamp(usual / rate, 10, 1000);
        treatments.Add(new Treatment("SK006", F($"the learning rate ÷{down:G3} ({rate / down:G2})"), F($"Lower the learning rate to about {rate / down:G2} (now {rate:G3}); LearningRateFinder.Run suggests one from a range test.")) { RateFactor = 1 / down });
        treatments.Add(new Treatment("SK006", F($"the learning rate ×{up:G3} ({rate * up:G2})"), F($"Raise the learning rate to about {rate * up:G2} (now {rate:G3}); LearningRateFinder.Run suggests one from a range test.")) { RateFactor = up });
        // Plain SGD: Adam at its usual rate, the optimizer Keras and PyTorch tutorials start from (it adapts each
        // weight's step, so a task whose gradients are small or uneven learns without a tuned rate).
        if (c.Training.Optimizer is Training.Optimizers.Sgd sgd)
        {
            var adam = new Training.Optimizers.Adam { LearningRate = 1e-3, WeightDecay = sgd.WeightDecay };
            treatments.Add(new Treatment("SK021", "Adam at 0.001 in place of Sgd", F($"Use Adam at its usual rate: TrainerOptions.Optimizer = new Adam {{ LearningRate = 1e-3 }} (now Sgd at {rate:G3}{(sgd.Momentum > 0 ? F($", momentum {sgd.Momentum:G2}") : ", no momentum")}); Adam adapts each weight's step."))
            {
                Optimizer = adam,
            });
        }
        if (!treatments.Any(t => t.Code == "SK004") && c.Model.Layers.OfType<SimpleRnn>().Any())
            treatments.Add(VanishingGradientsCheck.GatedInsteadOfSimple("Replace SimpleRnn with Gru or Lstm (same units)."));
        if (c.Model.Layers.OfType<RecurrentLayer>().Any())
        {
            var units = c.Model.Layers.OfType<RecurrentLayer>().Min(l => l.Units);
            var wider = Math.Max(32, 4 * units);
            treatments.Add(new Treatment("SK015", F($"{wider} units per recurrent layer (now {units})"), F($"Give the recurrent layers more units (about {wider}), or stack a second layer (RecurrentOptions.Layers = 2)."))
            {
                Layers = l => l is RecurrentLayer r ? r.WithUnits(Math.Max(wider, r.Units)) : l,
            });
        }
        return treatments;
    }

    /// <summary>A copy learned: its loss is below 0.9 of the trivial predictor's, or (classes) its balanced accuracy beats chance by 0.1.</summary>
    private static bool Learned(DiagnosisContext c, ArmResult r) => r.Relative < 0.9 || (c.IsClassification && r.BalancedAccuracy >= 1.0 / c.ClassCount + 0.1);

    /// <summary>
    /// A control seed, the user's setup unchanged but given the race's steps, beats the user's model as trained: by
    /// 0.1 balanced accuracy and the control's noise (classes), or by a tenth of the log loss and its noise.
    /// </summary>
    private static bool BeatsUser(DiagnosisContext c, Yardstick y, ArmResult control, ArmResult user) => c.IsClassification
        ? control.BalancedAccuracy - user.BalancedAccuracy >= Math.Max(y.BalancedNoise, 0.1)
        : Race.LogOf(user.Relative) - Race.LogOf(control.Relative) >= Math.Max(y.Noise, 0.1);

    /// <summary>
    /// Candidates whose test is the unchanged control (too few updates), given the race's steps, more than the run's
    /// own updates: confirmed when every control seed learned while the run is stuck (Critical), or, for a run that is
    /// behind, when each beat the user's model (<see cref="BeatsUser"/>; Warning even while the run still learns: a
    /// handful of updates is a fault of the setup, not a slower route).
    /// </summary>
    private static void ConfirmByControl(DiagnosisContext c, Status status, Race race, Experiments experiments, List<Treatment> candidates, IReadOnlyList<Checks.Result> results, ArmResult? user, ActiveResult found)
    {
        var y = race.Yardstick!;
        foreach (var t in candidates)
        {
            var original = results.First(x => ReferenceEquals(x.Treatment, t));
            var updates = t.RunUpdates;
            if (updates >= race.StepsReached) continue;
            var reached = c.IsClassification
                ? F($"balanced accuracy {string.Join(" and ", y.Controls.Select(a => a.BalancedAccuracy.ToString("F3", CultureInfo.InvariantCulture)))}")
                : F($"{c.LossName} {string.Join(" and ", y.Controls.Select(a => a.Relative.ToString("F3", CultureInfo.InvariantCulture)))} of the trivial predictor's");
            var experiment = F($"The unchanged setup, given {race.StepsReached} updates on {experiments.TrainRows} training rows ({race.Yardstick!.Controls.Count} seeds), reached {reached} on {experiments.ProbeRows} {c.EvaluatedName} rows; the run had {updates:F0}") + (user is null ? "." : c.IsClassification
                ? F($", and its model reached balanced accuracy {user.BalancedAccuracy:F3}.")
                : F($", and its model reached {user.Relative:F3}."));
            found.Confirmed[t] = UnderPlainCheck(original, new Finding(t.Code, Catalog.TitleOf(t), status.Stuck ? Severity.Critical : Severity.Warning, Math.Max(original.Finding.Confidence, 0.6), experiment,
                Checks.E(("experiment updates", race.StepsReached), ("control relative loss", y.Control), ("control balanced accuracy", y.ControlBalanced)), t.Fix)
            { Experiment = experiment, ConfirmedByExperiment = true });
        }
    }

    /// <summary>
    /// The joint change was confirmed and no single one was: each member is left out in turn, at the same step count,
    /// against the same control. A member is a necessary part of the fix when the others without it are not strong
    /// enough and trail the joint arm by <see cref="Race.TrailEffect"/> × the control's noise; it is then confirmed,
    /// quoting both arms. A member that the others do without is reported as not needed.
    /// </summary>
    private static void Ablate(DiagnosisContext c, Tone tone, Experiments experiments, Race race, Outcome joint, IReadOnlyList<Checks.Result> results,
        Func<Yardstick, Outcome, bool> strong, ActiveResult found)
    {
        var y = race.Yardstick!;
        var steps = race.StepsReached;
        var jointText = F($"With {joint.T.Name}, a copy's {What(c, y, joint, experiments)}, {joint.Effect:F1}× the control's noise; a second seed agreed ({Reached(c, joint.ByBalanced, joint.Replicate!)}).");
        var lines = new List<string>();
        foreach (var member in joint.T.Members)
        {
            if (!c.WorkFits(steps * experiments.WorkPerStep)) { found.Notes.Add(F($"the ablation of the joint change stopped: the work left does not allow {steps} more steps")); break; }
            c.Report("ablation: without " + member.Name);
            var r = experiments.Run(joint.T.Without(member), seed: 1, steps);
            var o = y.Judge(member, r);
            var drop = joint.Effect - o.Effect;
            var needed = !(o.BeatsEverySeed && strong(y, o)) && drop >= Race.TrailEffect;
            lines.Add(F($"without {member.Name}: {o.Effect:F1}× ({(needed ? "needed" : "not needed")})"));
            var without = F($"Without {member.Name} (the other changes kept), a copy's {What(c, y, o, experiments)}: {drop:F1}× the control's noise below the joint change");
            if (!needed)
            {
                found.Unconfirmed[member] = F($"Tried as part of a joint change: {jointText} {without}, so it is not needed.");
                continue;
            }
            var original = results.FirstOrDefault(x => ReferenceEquals(x.Treatment, member));
            var experiment = F($"{jointText} {without}: {member.Name} is a necessary part of the fix.");
            found.Confirmed[member] = UnderPlainCheck(original, new Finding(member.Code, Catalog.TitleOf(member), tone.Severity, ConfidenceOf(Math.Min(joint.Effect, drop), joint.Closed, original is not null),
                experiment + tone.StillLearning,
                Checks.E(("control relative loss", y.Control), ("joint change relative loss", joint.R.Relative), ("without it relative loss", r.Relative), ("effect size (× control noise)", joint.Effect),
                    ("effect lost without it (× control noise)", drop), ("steps", r.Steps), ("rows", r.Rows)),
                member.Fix) { Experiment = experiment, ConfirmedByExperiment = true });
        }
        found.Notes.Add(F($"no single change was enough; {joint.T.Name} was confirmed at {steps} steps, then each change left out in turn: ") + string.Join("; ", lines));
    }

    /// <summary>
    /// Whether an outcome is strong enough to be confirmed (before its second seed). A stuck run: the copy learned, and
    /// the gain is at least <see cref="Race.ConfirmEffect"/> × the control's noise and 0.05. A run that is only behind
    /// the baseline: the copies must show what the run lacks. Either the control copy does not learn, or the changed
    /// copy reached a better score than the user's model did in its whole training; and the gain is at least 4× the
    /// noise and 0.1.
    /// </summary>
    private static bool StrongEnough(DiagnosisContext c, Status status, Yardstick y, Outcome o, ArmResult? user)
    {
        if (!o.Learned) return false;
        if (status.Stuck) return o.Effect >= Race.ConfirmEffect && o.Gain >= 0.05;
        var controlFailed = y.Control >= 0.8 || (c.IsClassification && y.ControlBalanced <= 1.0 / c.ClassCount + 0.1);
        var beatsUser = user is not null && (o.ByBalanced
            ? o.R.BalancedAccuracy - user.BalancedAccuracy > y.BalancedNoise
            : Race.LogOf(user.Relative) - Race.LogOf(o.R.Relative) > Math.Max(y.Noise, 0.1));
        return (controlFailed || beatsUser) && o.Effect >= 4 && o.Gain >= 0.1;
    }

    /// <summary>
    /// A rate far above the optimizer family's usual one may do its damage late, after a fresh copy's steps: then
    /// continue from the weights as trained, at the user's rate (two batch orders: the yardstick) and at a tenth, for
    /// <see cref="Race.MinConfirmSteps"/> steps. A change counts when its gain is at least 4× the spread and closes at
    /// least 30% of the gap to a perfect score (lowering any rate at the end of training gives a modest fall). Class
    /// weights continued from a collapsed model were tried, but on short runs continuing unchanged escaped the collapse
    /// as often, so they are not run.
    /// </summary>
    /// <returns>What each unconfirmed continuation measured, by the original candidate.</returns>
    private static Dictionary<Treatment, string> Continue(DiagnosisContext c, Tone tone, Experiments experiments, Race race, List<Treatment> treatments,
        IReadOnlyList<Checks.Result> results, ActiveResult found)
    {
        var continued = new Dictionary<Treatment, string>();
        var rate = c.BaseRate;
        var usual = c.UsualRate ?? 1e-3;
        if (rate < 10 * usual || found.Confirmed.Keys.Any(t => t.Code == "SK006" && t.RateFactor < 1)) return continued;
        var original = treatments.First(t => t.Code == "SK006" && t.RateFactor < 1);
        var change = new Treatment("SK006", F($"a tenth of the rate ({rate / 10:G2})"),
            F($"Lower the learning rate to about {rate / 10:G2} (now {rate:G3}), or let a schedule lower it (ReduceLrOnPlateau, CosineDecay); LearningRateFinder.Run suggests one from a range test.")) { FromTrained = true, RateFactor = 0.1 };
        var steps = race.ConfirmAt;
        if (!c.WorkFits(3 * steps * experiments.WorkPerStep))
        {
            found.Notes.Add("no continuation from the trained weights: not within the work budget");
            return continued;
        }
        var same = new Treatment("", "the setup unchanged, from the trained weights", "") { FromTrained = true };
        c.Report("experiment: continuation from the trained weights");
        var a = experiments.Run(same, seed: 1, steps);
        c.ThrowIfCancelled();
        var b = experiments.Run(same, seed: 2, steps);
        var control = Math.Exp((Race.LogOf(a.Relative) + Race.LogOf(b.Relative)) / 2);
        var noise = Math.Max(Math.Abs(Race.LogOf(a.Relative) - Race.LogOf(b.Relative)), Race.MinLossNoise);
        c.ThrowIfCancelled();
        var r = experiments.Run(change, seed: 1, steps);
        var effect = (Race.LogOf(control) - Race.LogOf(r.Relative)) / noise;
        var closed = Math.Clamp((control - Race.Capped(r.Relative)) / Math.Max(control, 1e-9), 0, 1);
        var what = F($"{c.LossName} on {experiments.ProbeRows} {c.EvaluatedName} rows went from {r.InitialLoss:G3} to {r.FinalLoss:G3} in {r.Steps} steps ({r.Rows:N0} rows); unchanged, {a.InitialLoss:G3} → {a.FinalLoss:G3} (second batch order: {b.FinalLoss:G3})");
        var learned = r.Relative < 0.9;
        found.Notes.Add(F($"continuation from the trained weights with {change.Name}: gain {effect:F1}× the spread between batch orders, closing {closed:P0} of the gap"));
        if (!(effect >= 4 && closed >= 0.3 && learned))
        {
            continued[original] = F($"Tried: continuing from the trained weights with {change.Name}, a copy's {what}; {effect:F1}× the spread between batch orders, not enough to confirm it.");
            return continued;
        }
        var experiment = F($"Continuing from the trained weights with {change.Name}, a copy's {what}. The gain is {effect:F1}× the spread between batch orders and closes {closed:P0} of the gap to a perfect score.");
        var plain = results.FirstOrDefault(x => ReferenceEquals(x.Treatment, original));
        found.Confirmed[original] = UnderPlainCheck(plain, new Finding(change.Code, Catalog.TitleOf(change), tone.Severity,
            ConfidenceOf(effect, closed, plain is not null), experiment,
            Checks.E(("effect size (× control noise)", effect), ("steps", r.Steps), ("rows", r.Rows), ("treatment relative loss", r.Relative), ("treatment balanced accuracy", r.BalancedAccuracy), (Finding.SuggestedLearningRate, rate / 10)), change.Fix) { Experiment = experiment, ConfirmedByExperiment = true });
        return continued;
    }

    /// <summary>What an arm reached against the control, in words ("cross-entropy on 200 validation rows fell from …").</summary>
    private static string What(DiagnosisContext c, Yardstick y, Outcome o, Experiments experiments)
    {
        var (a, b) = (y.Controls[0], y.Controls[1]);
        return o.ByBalanced
            ? F($"balanced accuracy on {experiments.ProbeRows} {c.EvaluatedName} rows reached {o.R.BalancedAccuracy:F3} in {o.R.Steps} steps ({o.R.Rows:N0} rows); unchanged, {string.Join(", ", y.Controls.Select(x => x.BalancedAccuracy.ToString("F3", CultureInfo.InvariantCulture)))} ({y.Controls.Count} seeds)")
            : F($"{c.LossName} on {experiments.ProbeRows} {c.EvaluatedName} rows fell from {o.R.InitialLoss:G3} to {o.R.FinalLoss:G3} in {o.R.Steps} steps ({o.R.Rows:N0} rows); unchanged, {a.InitialLoss:G3} → {a.FinalLoss:G3} (second seed: {b.FinalLoss:G3})");
    }

    private static string Reached(DiagnosisContext c, bool byBalanced, ArmResult r) => byBalanced
        ? F($"balanced accuracy {r.BalancedAccuracy:F3}")
        : F($"{c.LossName} {r.FinalLoss:G3}");

    /// <summary>
    /// A confirmed change's confidence: the significance (effect / (effect + 4)), weighted by how much of the gap the
    /// change closed. A fix that a plain check pointed at has two pieces of evidence; the generic arms (rate, width)
    /// only one, so theirs is × 0.9.
    /// </summary>
    private static double ConfidenceOf(double effect, double closed, bool pointedAt) => effect / (effect + 4) * (0.5 + 0.5 * closed) * (pointedAt ? 1 : 0.9);

    /// <summary>A confirmed finding under the plain check that pointed at it (its title, its message first, both evidences), or as it is.</summary>
    private static Finding UnderPlainCheck(Checks.Result? plain, Finding finding) => plain is null ? finding
        : finding with { Title = plain.Finding.Title, Message = plain.Finding.Message + " " + finding.Message, Evidence = Merge(plain.Finding.Evidence, finding.Evidence) };

    private static Dictionary<string, double> Merge(IReadOnlyDictionary<string, double> a, IReadOnlyDictionary<string, double> b)
    {
        var merged = new Dictionary<string, double>(a);
        foreach (var (k, v) in b) merged[k] = v;
        return merged;
    }

    /// <summary>
    /// How a confirmed change is reported, decided once per diagnosis: Critical for a stuck run; for a run that is only
    /// behind, Warning, or Info with a sentence saying so when it is still learning (a faster route, not a fault).
    /// </summary>
    private sealed record Tone(Severity Severity, string StillLearning)
    {
        public static Tone Of(DiagnosisContext c, Status status)
        {
            if (status.Stuck) return new Tone(Severity.Critical, "");
            var (improving, text) = TrainingDoctor.StillImproving(c);
            return improving ? new Tone(Severity.Info, F($" The run is still learning ({text}), so this is a faster route, not a fault.")) : new Tone(Severity.Warning, "");
        }
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
