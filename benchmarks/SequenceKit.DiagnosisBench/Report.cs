using System.Globalization;
using System.Text;

namespace SequenceKit.DiagnosisBench;

/// <summary>The runner's console line per case and the Markdown summary.</summary>
public static class Report
{
    /// <summary>One line: verdict, case, top findings, alarms, the last validation metric, timings, the setup.</summary>
    /// <param name="r">The case's result.</param>
    /// <returns>The line.</returns>
    public static string Line(CaseResult r)
    {
        if (r.Error is not null) return $"ERROR {r.Name,-44} {r.Error} [{r.Setup}]";
        var verdict = r.Expected is null ? (r.Alarms.Count == 0 ? "quiet" : "ALARM") : r.Top1Hit ? "top1 " : r.Top2Hit ? "top2 " : "miss ";
        var findings = string.Join(" ", r.Findings.Take(3).Select(f => Invariant($"{f.Code}:{f.Severity[0]}{f.Confidence:F2}")));
        return Invariant($"{verdict} {r.Name,-44} exp {r.Expected ?? "-",-5} got [{findings}] {LastValidation(r)}{(r.NonFinite ? " nonfinite" : "")} train {r.TrainSeconds:F1}s active {r.ActiveSeconds:F1}s diag {r.DiagnoseSeconds:F1}s{(r.Violations.Count > 0 ? $" VIOLATIONS {r.Violations.Count}" : "")} | {r.Setup}");
    }

    /// <summary>Case counts per cause × source and per split.</summary>
    /// <param name="cases">The cases.</param>
    /// <returns>A Markdown table.</returns>
    public static string Counts(IReadOnlyList<BenchCase> cases)
    {
        string[] splits = ["dev", "heldout", "heldout2", "heldout3", "heldout4", "heldout5"];
        var text = new StringBuilder("| Cause | Expected | Sources | " + string.Join(" | ", splits) + " |\n|---|---|---|" + string.Concat(splits.Select(_ => "---|")) + "\n");
        foreach (var group in cases.GroupBy(c => c.Cause))
            text.AppendLine(Invariant($"| {group.Key.Name} | {group.Key.ExpectedCode ?? "none ≥ Warning"} | {string.Join(", ", group.Select(c => c.Source.Name).Distinct())} | ") + string.Join(" | ", splits.Select(s => group.Count(c => c.Split == s))) + " |");
        var broken = cases.Where(c => !c.Cause.IsHealthy).ToList();
        var healthy = cases.Where(c => c.Cause.IsHealthy).ToList();
        string BySplit(List<BenchCase> part) => string.Join(", ", splits.Select(s => Invariant($"{part.Count(c => c.Split == s)} {s}")));
        text.AppendLine().AppendLine(Invariant(
            $"{cases.Count} cases: {broken.Count} broken ({BySplit(broken)}), {healthy.Count} healthy ({BySplit(healthy)}); {cases.Select(c => c.Cause).Distinct().Count(c => !c.IsHealthy)} broken causes on {cases.Select(c => c.Source).Distinct().Count()} sources."));
        return text.ToString();
    }

    /// <summary>The Markdown summary of a run.</summary>
    /// <param name="results">Every case's result.</param>
    /// <param name="split">The split that was run.</param>
    /// <param name="threads">TorchSharp's intra-op thread count during the run.</param>
    /// <returns>Markdown.</returns>
    public static string Markdown(IReadOnlyList<CaseResult> results, string split, int threads)
    {
        var text = new StringBuilder();
        var broken = results.Where(r => r.Expected is not null).ToList();
        var healthy = results.Where(r => r.Expected is null).ToList();
        text.AppendLine(Invariant($"## Diagnosis benchmark, split: {split}")).AppendLine();
        text.AppendLine(Invariant($"{threads} torch thread(s) on {Environment.ProcessorCount} core(s). {results.Count} cases: {broken.Count} broken, {healthy.Count} healthy, {results.Count(r => r.Error is not null)} failed to run."));
        if (broken.Count > 0)
            text.AppendLine(Invariant($"Broken runs: top-1 {Share(broken.Count(r => r.Top1Hit), broken.Count)}, top-2 {Share(broken.Count(r => r.Top2Hit), broken.Count)}."));
        if (healthy.Count > 0)
            text.AppendLine(Invariant($"Healthy runs with a Warning or Critical finding: {healthy.Count(r => r.Alarms.Count > 0 || r.Error is not null)}/{healthy.Count}."));
        text.AppendLine();

        text.AppendLine("### Per cause").AppendLine();
        text.AppendLine("| Cause | Expected | Runs | Top-1 | Top-2 | Most frequent top-1 |").AppendLine("|---|---|---|---|---|---|");
        foreach (var group in broken.GroupBy(r => r.Cause).OrderBy(g => CauseOrder(g.Key)))
        {
            var common = group.GroupBy(r => r.Top1).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First();
            text.AppendLine(Invariant($"| {group.Key} | {group.First().Expected} | {group.Count()} | {Share(group.Count(r => r.Top1Hit), group.Count())} | {Share(group.Count(r => r.Top2Hit), group.Count())} | {common.Key} ({common.Count()}) |"));
        }
        text.AppendLine();

        text.AppendLine("### Per source (broken runs)").AppendLine();
        text.AppendLine("| Source | Runs | Top-1 | Top-2 |").AppendLine("|---|---|---|---|");
        foreach (var group in broken.GroupBy(r => r.Source))
            text.AppendLine(Invariant($"| {group.Key} | {group.Count()} | {Share(group.Count(r => r.Top1Hit), group.Count())} | {Share(group.Count(r => r.Top2Hit), group.Count())} |"));
        text.AppendLine();

        text.AppendLine("### Confusion: expected cause × top-1 code").AppendLine();
        var codes = results.Select(r => r.Top1).Distinct().OrderBy(c => c is "none" or "error" ? "~" + c : c, StringComparer.Ordinal).ToList();
        text.AppendLine("| Cause (expected) | " + string.Join(" | ", codes) + " |");
        text.AppendLine("|---|" + string.Concat(codes.Select(_ => "---|")));
        foreach (var group in results.GroupBy(r => r.Cause).OrderBy(g => CauseOrder(g.Key)))
        {
            var cells = codes.Select(code =>
            {
                var n = group.Count(r => r.Top1 == code);
                return n == 0 ? "" : code == group.First().Expected ? $"**{n}**" : n.ToString(CultureInfo.InvariantCulture);
            });
            text.AppendLine($"| {group.Key} ({group.First().Expected ?? "none"}) | {string.Join(" | ", cells)} |");
        }
        text.AppendLine();

        text.AppendLine("### False alarms on healthy runs").AppendLine();
        var alarms = healthy.Where(r => r.Alarms.Count > 0 || r.Error is not null).ToList();
        if (alarms.Count == 0) text.AppendLine(Invariant($"None: no Warning or Critical finding on {healthy.Count} healthy run(s)."));
        foreach (var r in alarms)
            text.AppendLine(Invariant($"- {r.Name}: {(r.Error is not null ? "error: " + r.Error : string.Join(", ", r.Findings.Where(f => f.Severity is "Warning" or "Critical").Select(f => $"{f.Code} ({f.Severity}, {f.Confidence:F2})")))} — {LastValidation(r)}"));
        text.AppendLine();

        text.AppendLine("### Time").AppendLine();
        var ran = results.Where(r => r.Error is null).ToList();
        if (ran.Count > 0)
        {
            text.AppendLine(Invariant($"Active probe time per case (DiagnosisReport.ActiveTime): median {Median(ran.Select(r => r.ActiveSeconds)):F2} s, max {ran.Max(r => r.ActiveSeconds):F2} s ({ran.MaxBy(r => r.ActiveSeconds)!.Name})."));
            text.AppendLine(Invariant($"Whole Diagnose call: median {Median(ran.Select(r => r.DiagnoseSeconds)):F2} s, max {ran.Max(r => r.DiagnoseSeconds):F2} s. Training (Trainer.Fit): median {Median(ran.Select(r => r.TrainSeconds)):F2} s, max {ran.Max(r => r.TrainSeconds):F2} s."));
        }
        text.AppendLine();

        text.AppendLine("### Consistency of findings with the history").AppendLine();
        var violations = ran.SelectMany(r => r.Violations.Select(v => $"{r.Name}: {v}")).ToList();
        text.AppendLine(Invariant($"Evidence values named like a metric of the last epoch (or \"last \" + one) that differ from it by more than {Consistency.Tolerance:G1} relative: {violations.Count}."));
        foreach (var v in violations) text.AppendLine("- " + v);
        text.AppendLine();

        var failed = results.Where(r => r.Error is not null).ToList();
        if (failed.Count > 0)
        {
            text.AppendLine("### Cases that failed to run").AppendLine();
            foreach (var r in failed) text.AppendLine($"- {r.Name}: {r.Error}");
            text.AppendLine();
        }

        text.AppendLine("### Every case").AppendLine();
        text.AppendLine("| Case | Split | Expected | Top-1 | Top-2 | Warning/Critical | Last validation | Active s | Setup |").AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
            text.AppendLine(Invariant($"| {r.Name} | {r.Split} | {r.Expected ?? "healthy"} | {r.Top1} | {string.Join(", ", r.Top2)} | {string.Join(", ", r.Alarms)} | {LastValidation(r)}{(r.NonFinite ? " (non-finite)" : "")} | {r.ActiveSeconds:F2} | {r.Setup.Replace("|", "/", StringComparison.Ordinal)} |"));
        return text.ToString();
    }

    private static string LastValidation(CaseResult r)
    {
        var m = r.LastMetrics;
        if (m.TryGetValue("val_accuracy", out var accuracy)) return Invariant($"val_acc {accuracy:F3}");
        if (m.TryGetValue("val_mae", out var mae)) return Invariant($"val_mae {mae:G3}");
        return m.TryGetValue("val_loss", out var loss) ? Invariant($"val_loss {loss:G3}") : "no epoch";
    }

    private static int CauseOrder(string name)
    {
        for (var i = 0; i < Causes.All.Count; i++)
            if (Causes.All[i].Name == name) return i;
        return int.MaxValue;
    }

    private static string Share(int hits, int total) => Invariant($"{hits}/{total} ({(total == 0 ? 0 : 100.0 * hits / total):F0}%)");

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return double.NaN;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
