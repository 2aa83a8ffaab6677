using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SequenceKit.Diagnostics;

/// <summary>The doctor's findings, most likely cause first, and the checks it could not run (with why).</summary>
public sealed class DiagnosisReport
{
    /// <param name="findings">The findings, already ranked.</param>
    /// <param name="notes">The notes.</param>
    /// <param name="epoch">The epoch diagnosed after, or null.</param>
    /// <param name="activeTime">Time spent in the active part.</param>
    /// <param name="timeLimit">The hard time limit it had.</param>
    /// <param name="work">Rows of work the experiments used.</param>
    /// <param name="workBudget">The work budget.</param>
    internal DiagnosisReport(IEnumerable<Finding> findings, IEnumerable<string> notes, int? epoch, TimeSpan activeTime = default, TimeSpan timeLimit = default,
        long work = 0, long workBudget = 0)
    {
        ActiveTime = activeTime;
        TimeLimit = timeLimit;
        Work = work;
        WorkBudget = workBudget;
        Findings = findings.ToArray();
        Notes = notes.ToArray();
        Epoch = epoch;
    }

    /// <summary>
    /// The findings, ranked: causes at Warning or Critical first (most confident first), then "nothing tried made a
    /// copy learn" (SK011), then the symptom (SK001), then everything at Info.
    /// </summary>
    public IReadOnlyList<Finding> Findings { get; }

    /// <summary>Checks that could not run, and why (e.g. "SK004 not checked: the model has no recurrent layer").</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>The epoch (from 0) the diagnosis was made after, or null for an on-demand diagnosis.</summary>
    public int? Epoch { get; }

    /// <summary>Time spent in the active part of the diagnosis (probes and controlled experiments on model copies).</summary>
    public TimeSpan ActiveTime { get; }

    /// <summary>The hard time limit the active part had (<see cref="DoctorOptions.TimeLimit"/>).</summary>
    public TimeSpan TimeLimit { get; }

    /// <summary>Sequence steps the experiments processed (each optimizer step of each arm counts its batch's rows × time steps).</summary>
    public long Work { get; }

    /// <summary>The work budget the experiments had (<see cref="DoctorOptions.WorkBudget"/>).</summary>
    public long WorkBudget { get; }

    /// <summary>The top finding, or null when nothing was found.</summary>
    public Finding? Top => Findings.Count > 0 ? Findings[0] : null;

    /// <summary>Whether a finding of Warning or Critical severity is present.</summary>
    public bool HasWarnings => Findings.Any(f => f.Severity >= Severity.Warning);

    /// <summary>Plain text: one paragraph per finding, then the notes.</summary>
    /// <returns>The report.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine(Findings.Count == 0 ? "Training doctor: no findings." : $"Training doctor: {Findings.Count} finding(s), most likely first.");
        for (var i = 0; i < Findings.Count; i++) text.AppendLine(CultureInfo.InvariantCulture, $"{i + 1}. {Findings[i]}");
        foreach (var note in Notes) text.AppendLine(CultureInfo.InvariantCulture, $"   note: {note}");
        text.AppendLine(CultureInfo.InvariantCulture, $"   active part: {ActiveTime.TotalSeconds:F1} s; work {Work:N0} of {WorkBudget:N0} sequence steps");
        return text.ToString().TrimEnd();
    }

    /// <summary>Markdown: a table of findings, then each finding's evidence and fix.</summary>
    /// <returns>The report as Markdown.</returns>
    public string ToMarkdown()
    {
        var text = new StringBuilder("| # | Code | Severity | Confidence | Finding |\n|---|---|---|---|---|\n");
        for (var i = 0; i < Findings.Count; i++)
            text.AppendLine(CultureInfo.InvariantCulture, $"| {i + 1} | {Findings[i].Code} | {Findings[i].Severity} | {Findings[i].Confidence:F2} | {Findings[i].Title} |");
        foreach (var f in Findings)
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"### {f.Code} {f.Title}").AppendLine().AppendLine(f.Message).AppendLine();
            foreach (var (name, value) in f.Evidence) text.AppendLine(CultureInfo.InvariantCulture, $"- {name}: {value:G6}");
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"**Fix:** {f.Fix}");
        }
        if (Notes.Count > 0) text.AppendLine().AppendLine("Not checked:").AppendLine(string.Join("\n", Notes.Select(n => $"- {n}")));
        return text.ToString();
    }

    /// <summary>JSON: findings (code, title, severity, confidence, message, evidence, fix, experiment), notes and epoch.</summary>
    /// <returns>The report as JSON.</returns>
    public string ToJson() => new JsonObject
    {
        ["epoch"] = Epoch,
        ["findings"] = new JsonArray(Findings.Select(f => (JsonNode)new JsonObject
        {
            ["code"] = f.Code,
            ["title"] = f.Title,
            ["severity"] = f.Severity.ToString(),
            ["confidence"] = f.Confidence,
            ["message"] = f.Message,
            ["evidence"] = new JsonObject(f.Evidence.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)(double.IsFinite(e.Value) ? JsonValue.Create(e.Value) : JsonValue.Create(e.Value.ToString(CultureInfo.InvariantCulture)))))),
            ["fix"] = f.Fix,
            ["experiment"] = f.Experiment,
        }).ToArray()),
        ["notes"] = new JsonArray(Notes.Select(n => (JsonNode)n).ToArray()),
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}
