using System.Text.RegularExpressions;
using SequenceKit.Diagnostics;
using SequenceKit.Training;

namespace SequenceKit.Sweeps;

/// <summary>
/// One configuration of a sweep: its parameter values, in the sweep's parameter order, and an id made from them that
/// names its results folder (e.g. <c>task=adding-50,cell=Lstm</c>).
/// </summary>
public sealed record SweepConfiguration
{
    internal SweepConfiguration(IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        Parameters = parameters;
        Id = string.Join(",", parameters.Select(p => $"{p.Key}={p.Value}"));
    }

    /// <summary>The folder-safe id: <c>name=value</c> pairs joined by commas.</summary>
    public string Id { get; }

    /// <summary>The parameter values, in the sweep's parameter order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; }

    /// <summary>A parameter's value.</summary>
    /// <param name="name">The parameter's name.</param>
    /// <returns>Its value in this configuration.</returns>
    /// <exception cref="KeyNotFoundException">The sweep has no such parameter (the message lists them).</exception>
    public string this[string name] => Parameters.FirstOrDefault(p => p.Key == name) is { Key: not null } found
        ? found.Value
        : throw new KeyNotFoundException($"The sweep has no parameter '{name}'; it has {string.Join(", ", Parameters.Select(p => p.Key))}.");

    /// <summary>Whether two configurations have the same id.</summary>
    /// <param name="other">The other configuration.</param>
    /// <returns>True when the ids are equal.</returns>
    public bool Equals(SweepConfiguration? other) => other is not null && other.Id == Id;

    /// <summary>The hash of the id.</summary>
    /// <returns>A hash code.</returns>
    public override int GetHashCode() => Id.GetHashCode(StringComparison.Ordinal);

    /// <summary>The id.</summary>
    /// <returns><see cref="Id"/>.</returns>
    public override string ToString() => Id;
}

/// <summary>What one configuration's run produced; <see cref="Sweep.Run"/> writes it to the configuration's results folder.</summary>
/// <param name="History">The training history (every epoch's metrics; the last epoch's are the final metrics).</param>
public sealed record SweepRun(History History)
{
    /// <summary>The training doctor's last report, if a <see cref="DoctorCallback"/> was attached; null for none.</summary>
    public DiagnosisReport? Doctor { get; init; }

    /// <summary>Further numbers worth a column in the comparison (e.g. the parameter count); empty by default.</summary>
    public IReadOnlyDictionary<string, double> Values { get; init; } = new Dictionary<string, double>();
}

/// <summary>Where a sweep writes and which part of it this process runs.</summary>
/// <param name="ResultsFolder">The folder that holds one subfolder per configuration; shared by every shard (e.g. on a cluster file system).</param>
public sealed record SweepOptions(string ResultsFolder)
{
    /// <summary>The part of the sweep this process runs; <see cref="SweepShard.Whole"/> by default. Use <see cref="SweepShard.FromEnvironment"/> on a scheduler.</summary>
    public SweepShard Shard { get; init; } = SweepShard.Whole;

    /// <summary>Skip configurations whose result already exists (a rerun finishes what is missing); true by default.</summary>
    public bool SkipFinished { get; init; } = true;

    /// <summary>Called with each configuration this shard runs or skips, before it starts; null for none.</summary>
    public Action<SweepConfiguration, bool>? Progress { get; init; }
}

/// <summary>What <see cref="Sweep.Run"/> did in this process.</summary>
/// <param name="Ran">The configurations this shard trained.</param>
/// <param name="Skipped">This shard's configurations whose results already existed.</param>
/// <param name="OtherShards">How many configurations belong to other shards.</param>
public sealed record SweepSummary(IReadOnlyList<SweepConfiguration> Ran, IReadOnlyList<SweepConfiguration> Skipped, int OtherShards);

/// <summary>
/// Hyperparameter sweeps and comparisons as many independent runs: a grid of configurations, each run writing its
/// history, final metrics and doctor report to its own folder, split across the tasks of a job scheduler by
/// <see cref="SweepShard"/>; <see cref="SweepResults"/> merges whatever exists. One model's training is not split.
/// </summary>
public static partial class Sweep
{
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._+-]*$")]
    private static partial Regex SafeName();

    /// <summary>
    /// Every combination of the parameters' values, the first parameter varying slowest: <c>Grid(("task", ["a", "b"]),
    /// ("cell", ["Lstm", "Gru"]))</c> gives a/Lstm, a/Gru, b/Lstm, b/Gru. The order is the sweep's: shards split it by position.
    /// </summary>
    /// <param name="parameters">Each parameter's name and values; names and values are letters, digits and <c>. _ + -</c>.</param>
    /// <returns>The configurations.</returns>
    /// <exception cref="ArgumentException">No parameters, a parameter without values, a repeated name or value, or a name or value with other characters.</exception>
    public static IReadOnlyList<SweepConfiguration> Grid(params (string Name, IReadOnlyList<string> Values)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Length == 0) throw new ArgumentException("A sweep needs at least one parameter.", nameof(parameters));
        foreach (var (name, values) in parameters)
        {
            Check(name, "parameter name");
            if (values is null || values.Count == 0) throw new ArgumentException($"Parameter '{name}' has no values.", nameof(parameters));
            foreach (var value in values) Check(value, $"value of '{name}'");
            if (values.Distinct(StringComparer.Ordinal).Count() != values.Count) throw new ArgumentException($"Parameter '{name}' repeats a value.", nameof(parameters));
        }
        if (parameters.Select(p => p.Name).Distinct(StringComparer.Ordinal).Count() != parameters.Length)
            throw new ArgumentException("Two parameters have the same name.", nameof(parameters));

        IEnumerable<List<KeyValuePair<string, string>>> combinations = [[]];
        foreach (var (name, values) in parameters)
            combinations = combinations.SelectMany(c => values.Select(v => new List<KeyValuePair<string, string>>(c) { new(name, v) }));
        return combinations.Select(c => new SweepConfiguration(c)).ToArray();

        static void Check(string? text, string what)
        {
            if (text is null || !SafeName().IsMatch(text))
                throw new ArgumentException($"The {what} is '{text}'; expected letters, digits and '. _ + -' (it becomes part of a folder name).", nameof(parameters));
        }
    }

    /// <summary>
    /// Runs this shard's configurations one after another, skipping those whose result already exists, and writes
    /// each result (<c>result.json</c> with the history, final metrics, values and doctor report, plus
    /// <c>history.csv</c>) to <c>ResultsFolder/{id}/</c>. The result is written atomically and last, so a run killed
    /// half-way leaves no result and is run again next time.
    /// </summary>
    /// <param name="configurations">The sweep, e.g. from <see cref="Grid"/>; every shard must be given the same list.</param>
    /// <param name="options">The results folder and the shard.</param>
    /// <param name="train">Trains one configuration and returns what it produced.</param>
    /// <param name="cancellationToken">Stops before the next configuration.</param>
    /// <returns>What this shard ran and skipped.</returns>
    /// <exception cref="ArgumentException">The list is empty or repeats an id.</exception>
    /// <exception cref="OperationCanceledException">Cancelled between configurations.</exception>
    public static SweepSummary Run(IReadOnlyList<SweepConfiguration> configurations, SweepOptions options,
        Func<SweepConfiguration, SweepRun> train, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configurations);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(train);
        if (configurations.Count == 0) throw new ArgumentException("The sweep has no configurations.", nameof(configurations));
        if (configurations.Select(c => c.Id).Distinct(StringComparer.Ordinal).Count() != configurations.Count)
            throw new ArgumentException("Two configurations have the same id.", nameof(configurations));

        var ran = new List<SweepConfiguration>();
        var skipped = new List<SweepConfiguration>();
        for (var position = 0; position < configurations.Count; position++)
        {
            if (!options.Shard.Owns(position)) continue;
            cancellationToken.ThrowIfCancellationRequested();
            var configuration = configurations[position];
            var finished = options.SkipFinished && SweepResults.Exists(options.ResultsFolder, configuration);
            options.Progress?.Invoke(configuration, finished);
            if (finished)
            {
                skipped.Add(configuration);
                continue;
            }
            var run = train(configuration) ?? throw new InvalidOperationException($"The training function returned null for '{configuration.Id}'.");
            SweepResults.Write(options.ResultsFolder, configuration, run);
            ran.Add(configuration);
        }
        return new SweepSummary(ran, skipped, configurations.Count - ran.Count - skipped.Count);
    }
}
