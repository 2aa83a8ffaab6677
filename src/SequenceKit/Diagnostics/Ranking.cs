namespace SequenceKit.Diagnostics;

/// <summary>
/// The one pure function that turns the plain checks' results, the experiments' outcomes and the symptom into the
/// report's ranked findings. It changes nothing and reads no clock. The rules:
/// <list type="number">
/// <item>A candidate confirmed by experiment takes the experiment's severity and confidence. A candidate measured on
/// the user's own model or setup (a fallback: a rate 30× off its optimizer's usual one, inputs or targets 100× off
/// unit scale, clipping that removes nearly all of the gradient, …) stands at its own severity when the run is not
/// healthy and no experiment confirmed a cause with confidence 0.35 or more. Any other candidate becomes Info.</item>
/// <item>Tiers, then confidence: causes at Warning or Critical (facts, confirmed or standing candidates, the labels
/// verdict) first; then SK011 ("nothing tried made a copy learn", a conclusion by exclusion); then the symptom SK001;
/// then everything at Info. So a symptom never ranks above a cause, and SK011 never above strong plain evidence.</item>
/// <item>SK011 gives way (becomes a note) to a standing fallback: a cause found by measurement is an answer.</item>
/// <item>Unscaled inputs or targets rank above the exploding gradients (SK005) that they cause.</item>
/// <item>One finding per code: the one at the higher tier, then one confirmed by experiment, then the most confident.</item>
/// </list>
/// </summary>
internal static class Ranking
{
    /// <summary>A confirmed cause at this confidence or more means the fallbacks give way.</summary>
    public const double StrongConfirmation = 0.35;

    /// <summary>Ranks the findings.</summary>
    /// <param name="results">The plain checks' results.</param>
    /// <param name="active">What the experiments found, or null when none ran or they were not decided.</param>
    /// <param name="symptom">SK001, or null.</param>
    /// <param name="unhealthy">The run is stuck or behind.</param>
    /// <param name="activeProbes">Experiments were allowed.</param>
    /// <param name="notes">Receives a note when SK011 gives way.</param>
    public static List<Finding> Rank(IReadOnlyList<Checks.Result> results, ActiveResult? active, Finding? symptom, bool unhealthy, bool activeProbes, List<string> notes)
    {
        var confirmed = active?.Confirmed ?? [];
        var unconfirmed = active?.Unconfirmed ?? [];
        var findings = results.Where(r => r.Decisive).Select(r => r.Finding).ToList();
        var strongest = confirmed.Values.Select(f => f.Confidence).DefaultIfEmpty(0).Max();
        var standing = false;
        foreach (var r in results.Where(r => !r.Decisive))
        {
            if (r.Treatment is { } t && confirmed.TryGetValue(t, out var proven)) { findings.Add(proven); continue; }
            // An unconfirmed candidate quotes what its experiment measured.
            var finding = r.Treatment is { } tried && unconfirmed.TryGetValue(tried, out var line) ? r.Finding with { Message = r.Finding.Message + " " + line, Experiment = line } : r.Finding;
            if (r.Fallback && unhealthy && (r.BesideConfirmed || strongest < StrongConfirmation))
            {
                // Stands unless an experiment found a cause. One that stands beside a confirmed cause is a second
                // opinion: it ranks below the strongest confirmed one.
                if (r.BesideConfirmed && confirmed.Count > 0) finding = finding with { Confidence = Math.Min(finding.Confidence, 0.95 * strongest) };
                findings.Add(finding);
                standing |= finding.Severity >= Severity.Warning && !r.BesideConfirmed;
            }
            else if (!activeProbes && unhealthy) findings.Add(finding);
            else findings.Add(finding with { Severity = Severity.Info, Confidence = Math.Min(finding.Confidence, 0.2) });
        }
        findings.AddRange(confirmed.Where(p => !results.Any(r => ReferenceEquals(r.Treatment, p.Key))).Select(p => p.Value));
        if (active is not null) findings.AddRange(active.Findings);
        if (standing && findings.FindIndex(f => f.Code == "SK011") is var nothing and >= 0)
        {
            notes.Add("no experiment confirmed a cause; the measured findings stand: " + findings[nothing].Message);
            findings.RemoveAt(nothing);
        }
        if (symptom is not null) findings.Add(symptom);
        // Gradient norms measured on the model follow from unscaled data whenever a scale finding stands.
        var measuredGradients = results.Where(r => r.MeasuredGradients).Select(r => r.Finding).ToHashSet(ReferenceEqualityComparer.Instance);
        var cause = findings.Where(f => f.Code is "SK003" or "SK012" && f.Severity >= Severity.Warning).Select(f => f.Confidence).DefaultIfEmpty(0).Max();
        if (cause > 0)
            for (var i = 0; i < findings.Count; i++)
                if (findings[i].Code == "SK005" && findings[i].Confidence >= cause && (confirmed.Values.Any(f => f.Code is "SK003" or "SK012") || measuredGradients.Contains(findings[i])))
                    findings[i] = findings[i] with { Confidence = cause * 0.9, Message = findings[i].Message + " It follows from the scale finding ranked above it." };
        return findings
            .GroupBy(f => f.Code)
            .Select(g => g.OrderBy(Tier).ThenByDescending(f => f.ConfirmedByExperiment).ThenByDescending(f => f.Confidence).First())
            .OrderBy(Tier).ThenByDescending(f => f.Confidence).ThenByDescending(f => f.Severity).ThenBy(f => f.Code, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>0: a cause at Warning or above; 1: SK011; 2: the symptom SK001; 3: Info.</summary>
    public static int Tier(Finding f) => f.Severity == Severity.Info ? 3 : f.Code switch
    {
        "SK001" => 2,
        "SK011" => 1,
        _ => 0,
    };
}
