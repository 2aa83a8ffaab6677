using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SequenceKit.IO;
using SequenceKit.Training;
using SequenceKit.Training.Callbacks;

namespace SequenceKit.Sweeps;

/// <summary>One finished configuration of a sweep, as read back from its results folder.</summary>
/// <param name="Configuration">The configuration.</param>
/// <param name="History">Its training history (epochs, stop reason and message; events are not stored).</param>
/// <param name="Values">The extra numbers the run reported (<see cref="SweepRun.Values"/>).</param>
/// <param name="DoctorTop">The doctor's top finding as "code title", "none" when it found nothing, null when no doctor ran.</param>
/// <param name="DoctorReport">The doctor's whole report, or null when no doctor ran.</param>
public sealed record SweepResult(SweepConfiguration Configuration, History History, IReadOnlyDictionary<string, double> Values,
    string? DoctorTop, string? DoctorReport)
{
    /// <summary>The last epoch's metrics (empty when no epoch completed).</summary>
    public IReadOnlyDictionary<string, double> FinalMetrics => History.Epochs.Count > 0 ? History.Epochs[^1].Metrics : new Dictionary<string, double>();
}

/// <summary>A column of the comparison table that <see cref="SweepResults.ToMarkdown"/> builds.</summary>
/// <param name="Header">The column's header.</param>
/// <param name="Cell">The cell's text for one result.</param>
public sealed record SweepColumn(string Header, Func<SweepResult, string> Cell)
{
    /// <summary>A parameter's value.</summary>
    /// <param name="name">The parameter.</param>
    /// <param name="header">The header; the name by default.</param>
    /// <returns>The column.</returns>
    public static SweepColumn Parameter(string name, string? header = null) => new(header ?? name, r => r.Configuration[name]);

    /// <summary>A metric of the last epoch ("–" when the run did not record it).</summary>
    /// <param name="name">The metric, e.g. "val_loss".</param>
    /// <param name="format">A .NET number format; "F4" by default.</param>
    /// <param name="header">The header; the name by default.</param>
    /// <returns>The column.</returns>
    public static SweepColumn FinalMetric(string name, string format = "F4", string? header = null) =>
        new(header ?? name, r => r.FinalMetrics.TryGetValue(name, out var v) ? v.ToString(format, CultureInfo.InvariantCulture) : "–");

    /// <summary>One of the run's extra values ("–" when it did not report it).</summary>
    /// <param name="name">The value's name.</param>
    /// <param name="format">A .NET number format; "G6" by default.</param>
    /// <param name="header">The header; the name by default.</param>
    /// <returns>The column.</returns>
    public static SweepColumn Value(string name, string format = "G6", string? header = null) =>
        new(header ?? name, r => r.Values.TryGetValue(name, out var v) ? v.ToString(format, CultureInfo.InvariantCulture) : "–");

    /// <summary>The doctor's top finding.</summary>
    /// <returns>The column.</returns>
    public static SweepColumn Doctor() => new("Doctor's top finding", r => r.DoctorTop ?? "–");
}

/// <summary>Reads and merges a sweep's results folder: whatever configurations have finished, from any shard.</summary>
public static class SweepResults
{
    private const string Format = "SequenceKit.SweepResult";
    private const int FormatVersion = 1;
    private const string ResultFile = "result.json";
    private const string HistoryFile = "history.csv";
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// Every finished configuration in the folder, ordered by its position in <paramref name="sweep"/> when given
    /// (configurations of the sweep without a result are left out), else by id.
    /// </summary>
    /// <param name="resultsFolder">The folder <see cref="Sweep.Run"/> wrote to.</param>
    /// <param name="sweep">The sweep, to order the results and ignore folders of other sweeps; null to read every result.</param>
    /// <returns>The results.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="SequenceKitException">A result file is not a sweep result or is damaged (the message names it).</exception>
    public static IReadOnlyList<SweepResult> Load(string resultsFolder, IReadOnlyList<SweepConfiguration>? sweep = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(resultsFolder);
        if (!Directory.Exists(resultsFolder)) throw new DirectoryNotFoundException($"The sweep results folder '{resultsFolder}' does not exist.");
        if (sweep is not null)
            return sweep.Where(c => Exists(resultsFolder, c)).Select(c => Read(Path.Combine(resultsFolder, c.Id, ResultFile))).ToArray();
        return Directory.GetDirectories(resultsFolder).Order(StringComparer.Ordinal)
            .Select(d => Path.Combine(d, ResultFile)).Where(File.Exists).Select(Read).ToArray();
    }

    /// <summary>
    /// A Markdown table with one row per result. Without columns: every parameter, every final metric of the first
    /// result, every extra value, and the doctor's top finding when a doctor ran.
    /// </summary>
    /// <param name="results">The results, e.g. from <see cref="Load"/>.</param>
    /// <param name="columns">The columns; none for the default.</param>
    /// <returns>The table, ending with a line break.</returns>
    public static string ToMarkdown(IReadOnlyList<SweepResult> results, params SweepColumn[] columns)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (columns is null || columns.Length == 0)
        {
            var first = results.FirstOrDefault();
            columns = first is null ? [] :
            [
                .. first.Configuration.Parameters.Select(p => SweepColumn.Parameter(p.Key)),
                .. first.FinalMetrics.Keys.Select(m => SweepColumn.FinalMetric(m)),
                .. first.Values.Keys.Select(v => SweepColumn.Value(v)),
                .. results.Any(r => r.DoctorTop is not null) ? [SweepColumn.Doctor()] : Array.Empty<SweepColumn>(),
            ];
        }
        var text = new StringBuilder();
        text.AppendLine("| " + string.Join(" | ", columns.Select(c => c.Header)) + " |");
        text.AppendLine("|" + string.Concat(columns.Select(_ => "---|")));
        foreach (var result in results) text.AppendLine("| " + string.Join(" | ", columns.Select(c => c.Cell(result).Replace("|", "\\|", StringComparison.Ordinal))) + " |");
        return text.ToString();
    }

    internal static bool Exists(string resultsFolder, SweepConfiguration configuration) =>
        File.Exists(Path.Combine(resultsFolder, configuration.Id, ResultFile));

    internal static void Write(string resultsFolder, SweepConfiguration configuration, SweepRun run)
    {
        var folder = Path.Combine(resultsFolder, configuration.Id);
        var history = run.History;
        var result = new JsonObject
        {
            ["format"] = Format,
            ["formatVersion"] = FormatVersion,
            ["id"] = configuration.Id,
            ["parameters"] = new JsonObject(configuration.Parameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            ["stopReason"] = history.StopReason.ToString(),
            ["stopMessage"] = history.StopMessage,
            ["epochs"] = JsonSerializer.SerializeToNode(history.Epochs.Select(e => new EpochJson(e.Epoch,
                e.Metrics.ToDictionary(m => m.Key, m => m.Value), e.LearningRate, e.Duration.TotalSeconds)), Json),
            ["values"] = JsonSerializer.SerializeToNode(run.Values, Json),
            ["doctorTop"] = run.Doctor is null ? null : run.Doctor.Top is { } top ? $"{top.Code} {top.Title}" : "none",
            ["doctorReport"] = run.Doctor?.ToString(),
        };
        var csv = Encoding.UTF8.GetBytes(CsvLogger.Format(history.Epochs));
        AtomicFile.Write(Path.Combine(folder, HistoryFile), stream => stream.Write(csv));
        var json = Encoding.UTF8.GetBytes(result.ToJsonString(Json));
        AtomicFile.Write(Path.Combine(folder, ResultFile), stream => stream.Write(json));      // last: its presence means finished
    }

    private sealed record EpochJson(int Epoch, Dictionary<string, double> Metrics, double LearningRate, double Seconds);

    private static SweepResult Read(string path)
    {
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("the file is not a JSON object");
            if ((string?)root["format"] != Format) throw new JsonException($"'format' is not '{Format}'");
            if ((int?)root["formatVersion"] is not FormatVersion) throw new JsonException($"format version {root["formatVersion"]} is not {FormatVersion}");
            var parameters = (root["parameters"] as JsonObject ?? throw new JsonException("'parameters' is missing"))
                .Select(p => KeyValuePair.Create(p.Key, (string?)p.Value ?? throw new JsonException($"parameter '{p.Key}' is not a string"))).ToList();
            var configuration = new SweepConfiguration(parameters);
            if ((string?)root["id"] != configuration.Id) throw new JsonException($"'id' is not '{configuration.Id}'");
            var history = new History();
            history.Restore((root["epochs"]?.Deserialize<EpochJson[]>(Json) ?? throw new JsonException("'epochs' is missing"))
                .Select(e => new EpochRecord(e.Epoch, e.Metrics, e.LearningRate, TimeSpan.FromSeconds(e.Seconds))));
            history.StopReason = Enum.Parse<StopReason>((string?)root["stopReason"] ?? throw new JsonException("'stopReason' is missing"));
            history.StopMessage = (string?)root["stopMessage"] ?? "";
            var values = root["values"]?.Deserialize<Dictionary<string, double>>(Json) ?? [];
            return new SweepResult(configuration, history, values, (string?)root["doctorTop"], (string?)root["doctorReport"]);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            throw new SequenceKitException($"The sweep result '{path}' cannot be read: {e.Message}. Delete its folder to run that configuration again.", e);
        }
    }
}
