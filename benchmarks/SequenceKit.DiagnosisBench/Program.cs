// The diagnosis benchmark: every generated case trains with Trainer.Fit (no doctor attached), then
// TrainingDoctor.Diagnose runs once on the result. The tables say whether the doctor's top finding (or one of its top
// two) is the case's expected code, what it ranked first instead, which healthy runs raised a Warning or Critical,
// how long the active probes took, and whether every number a finding quotes from the history matches the history.
// Run: dotnet run -c Release --project benchmarks/SequenceKit.DiagnosisBench -- [--split dev|heldout|heldout2|heldout3|heldout4|heldout5|seen|all]
//      [--cause NAME] [--source NAME] [--filter TEXT] [--limit N] [--jsonl FILE] [--markdown FILE] [--threads N] [--list]
//      [--budget SECONDS] [--reports]
// Threads: TorchSharp's intra-op threads, 1 unless --threads or SEQUENCEKIT_THREADS says otherwise (0 = libtorch's
// default, one per core). The models are tiny; on a shared 2-core machine more threads than free cores make every
// step many times slower (a digits case: 2.3 s with 1 thread, 87 s with 2 threads under a load of 9).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SequenceKit.DiagnosisBench;
using SequenceKit.Diagnostics;
using SequenceKit.Training;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
var split = Arg("--split") ?? "all";
if (split is not ("dev" or "heldout" or "heldout2" or "heldout3" or "heldout4" or "heldout5" or "seen" or "all"))
{
    Console.Error.WriteLine($"--split must be dev, heldout, heldout2, heldout3, heldout4, heldout5, seen or all; got '{split}'.");
    return 2;
}
var causeName = Arg("--cause");
if (causeName is not null && Causes.All.All(c => c.Name != causeName))
{
    Console.Error.WriteLine($"--cause '{causeName}' is not a cause; the causes are: {string.Join(", ", Causes.All.Select(c => c.Name))}.");
    return 2;
}
var sourceName = Arg("--source");
if (sourceName is not null && DataSources.All.All(s => s.Name != sourceName))
{
    Console.Error.WriteLine($"--source '{sourceName}' is not a source; the sources are: {string.Join(", ", DataSources.All.Select(s => s.Name))}.");
    return 2;
}
var filter = Arg("--filter");
var limit = Arg("--limit") is { } l ? int.Parse(l, CultureInfo.InvariantCulture) : int.MaxValue;
var jsonlPath = Arg("--jsonl");
var threads = int.TryParse(Environment.GetEnvironmentVariable("SEQUENCEKIT_THREADS"), out var fromEnvironment) ? fromEnvironment
    : Arg("--threads") is { } t ? int.Parse(t, CultureInfo.InvariantCulture) : 1;
if (threads > 0) TorchSharp.torch.set_num_threads(threads);
var markdownPath = Arg("--markdown");
// --work ROWS sets the doctor's work budget; without it the default applies. Verdicts do not depend on machine load.
var doctorOptions = Arg("--work") is { } w ? new DoctorOptions { WorkBudget = long.Parse(w, CultureInfo.InvariantCulture) } : new DoctorOptions();
var showReports = args.Contains("--reports");

var cases = CaseGenerator.All
    .Where(c => split == "all" || c.Split == split || (split == "seen" && c.Split != "heldout5"))
    .Where(c => causeName is null || c.Cause.Name == causeName)
    .Where(c => sourceName is null || c.Source.Name == sourceName)
    .Where(c => filter is null || c.Name.Contains(filter, StringComparison.OrdinalIgnoreCase))
    .Take(limit)
    .ToList();

if (args.Contains("--list"))
{
    foreach (var c in cases) Console.WriteLine($"{c.Name,-45} {c.Split,-8} {c.Cause.ExpectedCode ?? "healthy"}");
    Console.WriteLine();
    Console.WriteLine(Report.Counts(cases));
    return 0;
}

var jsonOptions = new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
using var jsonl = jsonlPath is null ? null : new StreamWriter(jsonlPath, append: false);
var results = new List<CaseResult>();
Console.WriteLine($"{cases.Count} case(s), split {split}, {TorchSharp.torch.get_num_threads()} torch thread(s) on {Environment.ProcessorCount} core(s).");
foreach (var benchCase in cases)
{
    var result = RunCase(benchCase);
    results.Add(result);
    Console.WriteLine(Report.Line(result));
    if (jsonl is not null)
    {
        jsonl.WriteLine(JsonSerializer.Serialize(result, jsonOptions));
        jsonl.Flush();
    }
}

var markdown = Report.Markdown(results, split, TorchSharp.torch.get_num_threads());
Console.WriteLine();
Console.WriteLine(markdown);
if (markdownPath is not null) File.WriteAllText(markdownPath, markdown);
return 0;

CaseResult RunCase(BenchCase benchCase)
{
    var result = new CaseResult
    {
        Name = benchCase.Name, Cause = benchCase.Cause.Name, Source = benchCase.Source.Name, Seed = benchCase.Seed,
        Split = benchCase.Split, Expected = benchCase.Cause.ExpectedCode,
    };
    try
    {
        using var run = benchCase.Build();
        result.Setup = run.Setup;
        var clock = Stopwatch.StartNew();
        var history = Trainer.Fit(run.Model, run.Train, run.Validation, run.Options);
        result.TrainSeconds = clock.Elapsed.TotalSeconds;
        result.Epochs = history.Epochs.Count;
        result.LastMetrics = history.Epochs.Count > 0 ? new Dictionary<string, double>(history.Epochs[^1].Metrics) : [];
        result.NonFinite = history.Epochs.Any(e => e.Metrics.Values.Any(v => !double.IsFinite(v)))
            || history.Events.OfType<SkippedStep>().Any(); // the trainer skips a non-finite step
        result.MaxLoss = history.Epochs.Count > 0 ? history.Epochs.Max(e => e.Metrics.GetValueOrDefault("loss", double.NaN)) : double.NaN;
        result.Events = history.Events.Count;

        clock.Restart();
        var report = TrainingDoctor.Diagnose(run.Model, run.Train, run.Validation, history, run.Options, doctorOptions);
        if (showReports) Console.WriteLine(report);
        result.DiagnoseSeconds = clock.Elapsed.TotalSeconds;
        result.ActiveSeconds = report.ActiveTime.TotalSeconds;
        result.Findings = report.Findings.Select(f => new FindingResult(f.Code, f.Severity.ToString(), f.Confidence)).ToList();
        result.Violations = Consistency.Check(report, history);
        result.Notes = report.Notes.ToList();
    }
    catch (Exception e) when (e is not OutOfMemoryException)
    {
        result.Error = $"{e.GetType().Name}: {e.Message}";
    }
    GC.Collect();
    GC.WaitForPendingFinalizers();
    return result;
}
