// The plateau zoo: every case trains with the training doctor attached; the table says whether the doctor's top
// finding is the case's known cause, when the plateau was diagnosed, and what the passive checks cost per epoch.
// Run: dotnet run -c Release --project benchmarks/SequenceKit.PlateauZoo [-- --markdown FILE] [--filter TEXT] [--reports] [--budget SECONDS]
using System.Diagnostics;
using System.Globalization;
using System.Text;
using SequenceKit.Diagnostics;
using SequenceKit.PlateauZoo;
using SequenceKit.Training;

var markdownPath = args.SkipWhile(a => a != "--markdown").Skip(1).FirstOrDefault();
var filter = args.SkipWhile(a => a != "--filter").Skip(1).FirstOrDefault();
var work = args.SkipWhile(a => a != "--work").Skip(1).FirstOrDefault() is { } workRows ? long.Parse(workRows, CultureInfo.InvariantCulture) : new DoctorOptions().WorkBudget;
var rows = new List<string>();
int broken = 0, correct = 0, healthy = 0, quiet = 0;
var overheads = new List<double>();
foreach (var zooCase in Cases.All.Where(c => filter is null || c.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)))
{
    using var run = zooCase.Build();
    var doctor = new DoctorCallback(new DoctorCallbackOptions { Doctor = new DoctorOptions { WorkBudget = work } });
    var clock = Stopwatch.StartNew();
    var history = Trainer.Fit(run.Model, run.Train, run.Validation, run.Options with { Callbacks = [doctor] });
    clock.Stop();
    var report = doctor.LastReport;
    var top = report?.Top;
    var epochs = history.Epochs.Count;
    var epochTime = history.Epochs.Sum(e => e.Duration.TotalMilliseconds) / Math.Max(1, epochs);
    var overhead = doctor.PassiveOverhead.TotalMilliseconds / Math.Max(1, epochs) / epochTime;
    overheads.Add(overhead);
    bool ok;
    if (zooCase.ExpectedCode is { } expected)
    {
        broken++;
        ok = top?.Code == expected;
        if (ok) correct++;
    }
    else
    {
        healthy++;
        ok = report is null || !report.HasWarnings;
        if (ok) quiet++;
    }
    var found = (top is null ? "none" : $"{top.Code} {top.Title} ({top.Severity}, {top.Confidence:F2})") + (zooCase.KnownMiss is { } miss && !ok ? $" (known miss: {miss})" : "");
    var when = doctor.FirstPlateauEpoch is { } plateau ? $"epoch {plateau + 1}" : $"end ({epochs})";
    rows.Add(string.Create(CultureInfo.InvariantCulture,
        $"| {zooCase.Name} | {zooCase.ExpectedCode ?? "healthy"} | {found} | {(ok ? "yes" : "**no**")} | {when} | {overhead:P2} |"));
    Console.WriteLine(rows[^1]);
    if ((!ok || args.Contains("--reports")) && report is not null) Console.WriteLine(report);
}

var table = new StringBuilder();
table.AppendLine("| Case | Expected | Top finding | Correct | Diagnosed at | Passive overhead / epoch |");
table.AppendLine("|---|---|---|---|---|---|");
foreach (var row in rows) table.AppendLine(row);
table.AppendLine();
table.AppendLine(string.Create(CultureInfo.InvariantCulture,
    $"Broken cases with the expected top finding: {correct}/{broken} ({(broken == 0 ? 0 : 100.0 * correct / broken):F0}%). Healthy cases without a warning: {quiet}/{healthy}. Largest passive overhead: {(overheads.Count == 0 ? 0 : overheads.Max()):P2} of an epoch."));
Console.WriteLine();
Console.WriteLine(table);
if (markdownPath is not null) File.WriteAllText(markdownPath, table.ToString());
