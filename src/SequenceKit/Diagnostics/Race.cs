using System.Globalization;

namespace SequenceKit.Diagnostics;

/// <summary>How an arm of the race ended.</summary>
internal enum ArmVerdict
{
    /// <summary>Both seeds beat every seed of the control, by at least <see cref="Race.ConfirmEffect"/> × its noise, after enough steps.</summary>
    Confirmed,

    /// <summary>Stopped early: the leader was separated from it at a rung, or it was clearly worse than the control.</summary>
    StoppedEarly,

    /// <summary>Ran to the last rung the step cap and the work budget allowed without being separated from the control.</summary>
    NotSeparated,

    /// <summary>Its first seed separated, its second seed did not: no confirmation.</summary>
    NotReplicated,
}

/// <summary>One arm's outcome against the control at the last rung it reached.</summary>
/// <param name="T">The change.</param>
/// <param name="R">What its first seed reached.</param>
/// <param name="Effect">Its gain over the control's mean, in units of the control's noise (the spread between its seeds).</param>
/// <param name="Gain">Its gain (log relative loss, or balanced accuracy).</param>
/// <param name="Closed">The share of the gap to a perfect score it closed, in [0, 1].</param>
/// <param name="ByBalanced">Judged by balanced accuracy rather than by the loss.</param>
/// <param name="Learned">It beat the trivial predictor, not only the control.</param>
/// <param name="BeatsEverySeed">It beat each of the control's seeds by at least the control's noise.</param>
/// <param name="Verdict">How the arm ended.</param>
/// <param name="Replicate">Its second seed, when one ran.</param>
internal sealed record Outcome(Treatment T, ArmResult R, double Effect, double Gain, double Closed, bool ByBalanced, bool Learned, bool BeatsEverySeed,
    ArmVerdict Verdict = ArmVerdict.NotSeparated, ArmResult? Replicate = null);

/// <summary>The control's seeds at one rung and the yardsticks they give.</summary>
internal sealed class Yardstick
{
    public Yardstick(DiagnosisContext c, IReadOnlyList<ArmResult> controls)
    {
        Controls = controls;
        var logs = controls.Select(a => Race.LogOf(a.Relative)).ToArray();
        Control = Math.Exp(logs.Average());                                                        // geometric mean
        ControlBalanced = controls.Average(a => a.BalancedAccuracy);
        Noise = Math.Max(Race.MeanPairwise(logs), Race.MinLossNoise);
        BalancedNoise = Math.Max(Race.MeanPairwise(controls.Select(a => a.BalancedAccuracy).ToArray()), Race.MinBalancedNoise);
        Classification = c.IsClassification;
        ClassCount = c.ClassCount;
    }

    public IReadOnlyList<ArmResult> Controls { get; }
    public double Control { get; }
    public double ControlBalanced { get; }
    public double Noise { get; }
    public double BalancedNoise { get; }
    private bool Classification { get; }
    private long ClassCount { get; }

    /// <summary>One treatment arm measured against the control.</summary>
    public Outcome Judge(Treatment t, ArmResult r)
    {
        var lossGain = Race.LogOf(Control) - Race.LogOf(r.Relative);
        var balancedGain = r.BalancedAccuracy - ControlBalanced;
        // Two yardsticks for classification, the loss and the balanced accuracy (class weights: only the latter); each
        // gives the significance (gain / the control's noise) and the share of the gap to perfect it closed.
        var byLoss = (Gain: lossGain, Effect: lossGain / Noise, Closed: (Control - Race.Capped(r.Relative)) / Math.Max(Control, 1e-9));
        var byBalanced = (Gain: balancedGain, Effect: balancedGain / BalancedNoise, Closed: balancedGain / Math.Max(1 - ControlBalanced, 1e-9));
        var balanced = t.ByBalancedAccuracy || (Classification && byBalanced.Effect >= Race.ConfirmEffect && byBalanced.Closed > byLoss.Closed);
        var best = balanced ? byBalanced : byLoss;
        // A fix must make the copy learn: beat the trivial predictor, not only the control.
        var learned = r.Relative < 0.9 || (Classification && r.BalancedAccuracy >= 1.0 / ClassCount + 0.1);
        // Agreement across the control's seeds: the arm beats each seed, not only their mean.
        var beatsEvery = balanced
            ? Controls.All(s => r.BalancedAccuracy - s.BalancedAccuracy >= BalancedNoise)
            : Controls.All(s => Race.LogOf(s.Relative) - Race.LogOf(r.Relative) >= Noise);
        return new Outcome(t, r, best.Effect, best.Gain, Math.Clamp(best.Closed, 0, 1), balanced, learned, beatsEvery);
    }

    /// <summary>The control's relative losses, for notes ("0.998 and 1.001").</summary>
    public string Relatives => string.Join(" and ", Controls.Select(a => a.Relative.ToString("F3", CultureInfo.InvariantCulture)));
}

/// <summary>
/// The controlled experiments as a race. Every arm, the control's seeds included, trains in rungs of 60, 120, 240,
/// 480 and 960 steps (capped by <see cref="DoctorOptions.ExperimentSteps"/>). After each rung every change is measured
/// against the control: an arm stops when the leader is separated from it (it trails by <see cref="TrailEffect"/> ×
/// the control's noise) or when it is that much worse than the control, so the leaders get the steps; while nothing is
/// separated, every arm goes on. A change whose gain is at least
/// <see cref="ConfirmEffect"/> × the control's noise, that beats every control seed, makes the copy learn, and has had
/// at least <see cref="MinConfirmSteps"/> steps, is replicated with a second seed; both seeds passing confirms it and
/// ends the race at that rung. Every rung is checked against the work budget before it starts: the race is decided by
/// steps and rows, never by the clock.
/// </summary>
internal sealed class Race
{
    /// <summary>The first rung's steps: enough for the usual fixes (scaling, a rate off by 10×) to show on small tasks.</summary>
    public const int FirstRung = 60;

    /// <summary>No confirmation before this many steps (a lucky 27-step arm is not evidence). Lowered to the cap when the cap is lower.</summary>
    public const int MinConfirmSteps = 120;

    /// <summary>The gain, in units of the control's noise, that confirms a change (3: the v2 threshold, measured on the zoo).</summary>
    public const double ConfirmEffect = 3;

    /// <summary>An arm whose gain is at least this × the noise is never stopped early.</summary>
    public const double KeepEffect = 2;

    /// <summary>An arm stops when it trails the leader by this × the noise, or when it is this × the noise worse than the control.</summary>
    public const double TrailEffect = 3;

    /// <summary>The least noise assumed on the log relative loss (1.5%), so identical seeds do not make every gain significant.</summary>
    public const double MinLossNoise = 0.015;

    /// <summary>The least noise assumed on the balanced accuracy (0.02).</summary>
    public const double MinBalancedNoise = 0.02;

    private readonly DiagnosisContext c;
    private readonly Experiments experiments;

    public Race(DiagnosisContext context, Experiments experiments)
    {
        c = context;
        this.experiments = experiments;
        var cap = c.Options.ExperimentSteps;
        var rungs = new List<int>();
        for (var s = Math.Min(FirstRung, cap); ; s = Math.Min(2 * s, cap))
        {
            rungs.Add(s);
            if (s >= cap) break;
        }
        Rungs = rungs;
        ConfirmAt = Math.Min(MinConfirmSteps, cap);
    }

    /// <summary>The step counts the arms are measured at.</summary>
    public IReadOnlyList<int> Rungs { get; }

    /// <summary>The fewest steps at which a change may be confirmed.</summary>
    public int ConfirmAt { get; }

    /// <summary>The control at the last rung run.</summary>
    public Yardstick? Yardstick { get; private set; }

    /// <summary>Every change's outcome at the last rung it reached.</summary>
    public List<Outcome> Outcomes { get; } = [];

    /// <summary>The last rung the control reached (0: none ran).</summary>
    public int StepsReached { get; private set; }

    /// <summary>
    /// Runs the race. <paramref name="strongEnough"/> says whether an outcome is a candidate for confirmation (for a
    /// stuck run: it learned and its gain is large enough; a behind run also asks that it beat the user's model).
    /// </summary>
    public void Run(IReadOnlyList<Treatment> treatments, Func<Yardstick, Outcome, bool> strongEnough, List<string> notes)
    {
        try
        {
            var taken = 0;
            foreach (var rung in Rungs)
            {
                if (!FitsRung(rung, taken, treatments.Count, notes)) break;
                if (rung == Rungs[0]) StartArms(treatments);
                foreach (var arm in controls) experiments.Advance(arm, rung);
                if (rung == Rungs[0]) WidenSplitControl(rung, notes);
                foreach (var arm in live)
                {
                    c.Report("experiment: " + arm.Treatment!.Name);
                    experiments.Advance(arm, rung);
                }
                taken = StepsReached = rung;
                var yardstick = Yardstick = new Yardstick(c, controls.Select(a => a.Last!).ToList());
                foreach (var arm in live) last[arm.Treatment!] = yardstick.Judge(arm.Treatment!, arm.Last!);
                var confirmed = rung >= ConfirmAt && ConfirmLeaders(rung, yardstick, strongEnough, notes);
                if (confirmed || live.Count == 0 || rung == Rungs[^1]) break;
                StopTrailing();
            }
            foreach (var t in treatments) if (last.TryGetValue(t, out var o)) Outcomes.Add(o);
            if (Yardstick is not null) notes.Add(Summary());
        }
        finally
        {
            foreach (var arm in controls.Concat(live).Concat(replicates)) arm.Dispose();
        }
    }

    // The race's arms: the control's seeds, the changes still racing, the second seeds of candidates, and each
    // change's outcome at the last rung it reached.
    private readonly List<Arm> controls = [];
    private readonly List<Arm> live = [];
    private readonly List<Arm> replicates = [];
    private readonly Dictionary<Treatment, Outcome> last = [];

    /// <summary>Whether the next rung fits the work budget (checked before it starts); a note says why not.</summary>
    private bool FitsRung(int rung, int taken, int treatments, List<string> notes)
    {
        var more = rung - taken;
        var arms = rung == Rungs[0] ? 2 + treatments : controls.Count + live.Count;
        if (c.WorkFits(arms * more * experiments.WorkPerStep)) return true;
        notes.Add(rung == Rungs[0]
            ? F($"no experiment ran: the first rung ({arms} arms × {rung} steps × {experiments.RowsPerStep} rows × {experiments.TimeSteps} time steps) exceeds DoctorOptions.WorkBudget ({c.Options.WorkBudget:N0} sequence steps)")
            : F($"the race stopped at {taken} steps: {arms} arms × {more} more steps × {experiments.RowsPerStep} rows × {experiments.TimeSteps} time steps exceed the work left ({c.Options.WorkBudget - c.Work:N0} of {c.Options.WorkBudget:N0} sequence steps)"));
        return false;
    }

    private void StartArms(IReadOnlyList<Treatment> treatments)
    {
        c.Report("control");
        controls.Add(experiments.Start(null, 1));
        controls.Add(experiments.Start(null, 2));
        foreach (var t in treatments) live.Add(experiments.Start(t, 1));
    }

    /// <summary>
    /// A split control (one seed learns, the other does not: rare classes, a rate near divergence): two seeds are a
    /// poor estimate of its spread, so two more run, and all four give the yardstick.
    /// </summary>
    private void WidenSplitControl(int rung, List<string> notes)
    {
        if (controls.Count != 2 || !Split(controls[0].Last!, controls[1].Last!) || !c.WorkFits(2 * rung * experiments.WorkPerStep)) return;
        controls.Add(experiments.Start(null, 3));
        controls.Add(experiments.Start(null, 4));
        foreach (var arm in controls.Skip(2)) experiments.Advance(arm, rung);
        notes.Add("the control's two seeds disagreed, so two more seeds were run");
    }

    /// <summary>Candidates for confirmation, strongest first, are replicated with a second seed; true when one was confirmed.</summary>
    private bool ConfirmLeaders(int rung, Yardstick yardstick, Func<Yardstick, Outcome, bool> strongEnough, List<string> notes)
    {
        var confirmed = false;
        foreach (var arm in live.OrderByDescending(a => last[a.Treatment!].Effect).ToList())
        {
            var o = last[arm.Treatment!];
            if (!(o.BeatsEverySeed && strongEnough(yardstick, o))) continue;
            if (!c.WorkFits(rung * experiments.WorkPerStep)) { notes.Add(F($"{arm.Treatment!.Name} separated at {rung} steps, but the work left does not allow its second seed")); continue; }
            var second = experiments.Start(arm.Treatment, 2);
            replicates.Add(second);
            var r2 = experiments.Advance(second, rung);
            var o2 = yardstick.Judge(arm.Treatment!, r2);
            var agrees = o2.BeatsEverySeed && strongEnough(yardstick, o2);
            last[arm.Treatment!] = o with { Verdict = agrees ? ArmVerdict.Confirmed : ArmVerdict.NotReplicated, Replicate = r2 };
            confirmed |= agrees;
            live.Remove(arm);
            arm.Dispose();
        }
        return confirmed;
    }

    /// <summary>
    /// Racing: an arm stops when the leader is separated from it (its gain trails the leader's by
    /// <see cref="TrailEffect"/> × the noise) or when it is clearly harmful. While nothing is separated, every arm goes on.
    /// </summary>
    private void StopTrailing()
    {
        var leader = live.Max(a => last[a.Treatment!].Effect);
        foreach (var arm in live.Where(a => last[a.Treatment!].Effect is var e && e < KeepEffect && (e <= leader - TrailEffect || e <= -TrailEffect)).ToList())
        {
            last[arm.Treatment!] = last[arm.Treatment!] with { Verdict = ArmVerdict.StoppedEarly };
            live.Remove(arm);
            arm.Dispose();
        }
    }

    /// <summary>One line on the race: the control, each arm's steps, rows and separation, and how it ended.</summary>
    public string Summary()
    {
        var y = Yardstick!;
        var arms = Outcomes.Select(o => F($"{o.T.Name}: {Ended(o)} at {o.R.Steps} steps ({o.R.Rows:N0} rows), {o.Effect:F1}× the control's noise"));
        return F($"experiments (a race in rungs of {string.Join(", ", Rungs)} steps, each on {experiments.TrainRows} training rows, measured on {experiments.ProbeRows} {c.EvaluatedName} rows): control {y.Controls.Count} seeds to {StepsReached} steps, {c.LossName} relative to the trivial predictor {y.Relatives}; ")
            + string.Join("; ", arms) + F($"; work {c.Work:N0} of {c.Options.WorkBudget:N0} sequence steps");
    }

    public static string Ended(Outcome o) => o.Verdict switch
    {
        ArmVerdict.Confirmed => "confirmed by two seeds",
        ArmVerdict.StoppedEarly => "stopped early (the leader was separated from it)",
        ArmVerdict.NotReplicated => "not replicated by a second seed",
        _ => "not separated",
    };

    /// <summary>A split control: the balanced accuracies of its two seeds differ by 0.2, or their losses by a third.</summary>
    private bool Split(ArmResult a, ArmResult b) =>
        (c.IsClassification && Math.Abs(a.BalancedAccuracy - b.BalancedAccuracy) >= 0.2) || Math.Abs(LogOf(a.Relative) - LogOf(b.Relative)) >= 0.3;

    // Losses are compared on a log scale: a diverging control (relative loss 14 on one seed, 7 on the other) is as
    // noisy as its ratio says, and near 1 the log is the relative change.
    // Capped: a diverging arm (relative loss NaN or ∞) counts as 1e6, so the control's spread and the gains stay finite.
    public static double Capped(double relative) => double.IsNaN(relative) ? 1e6 : Math.Clamp(relative, 1e-6, 1e6);

    public static double LogOf(double relative) => Math.Log(Capped(relative));

    /// <summary>The mean absolute difference over all pairs (for two values, their distance).</summary>
    public static double MeanPairwise(IReadOnlyList<double> values)
    {
        double sum = 0;
        var pairs = 0;
        for (var i = 0; i < values.Count; i++)
            for (var j = i + 1; j < values.Count; j++) { sum += Math.Abs(values[i] - values[j]); pairs++; }
        return pairs == 0 ? 0 : sum / pairs;
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
