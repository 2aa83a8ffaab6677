using System.Collections;
using System.Globalization;

namespace SequenceKit.Sweeps;

/// <summary>
/// Which part of a sweep this process runs: shard <see cref="Index"/> of <see cref="Count"/> owns every configuration
/// whose position in the sweep modulo <see cref="Count"/> is <see cref="Index"/>. Read it from the job scheduler with
/// <see cref="FromEnvironment"/>: a Slurm array job, a Kubernetes Indexed Job, or an explicit <c>--shard i/n</c>.
/// </summary>
public readonly record struct SweepShard
{
    /// <summary>Creates a shard.</summary>
    /// <param name="index">This shard, from 0; below <paramref name="count"/>.</param>
    /// <param name="count">How many shards the sweep is split into; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">count &lt; 1, or index outside [0, count).</exception>
    public SweepShard(int index, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "The shard count must be at least 1.");
        if (index < 0 || index >= count) throw new ArgumentOutOfRangeException(nameof(index), index, $"The shard index must be in [0, {count}).");
        (Index, this.count) = (index, count);
    }

    /// <summary>This shard, from 0.</summary>
    public int Index { get; }

    /// <summary>How many shards the sweep is split into (1 when the shard was created with <c>default</c>).</summary>
    public int Count => count == 0 ? 1 : count;

    private readonly int count;

    /// <summary>The environment variable that gives a Kubernetes Indexed Job's completion count (Kubernetes sets only the index).</summary>
    public const string ShardCountVariable = "SEQUENCEKIT_SHARD_COUNT";

    /// <summary>One process runs the whole sweep.</summary>
    public static SweepShard Whole => new(0, 1);

    /// <summary>Whether this shard runs the configuration at a position of the sweep.</summary>
    /// <param name="position">The configuration's position in the sweep, from 0.</param>
    /// <returns>True when <paramref name="position"/> modulo <see cref="Count"/> is <see cref="Index"/>.</returns>
    public bool Owns(int position) => position % Count == Index;

    /// <summary>Parses "i/n" (e.g. "2/4": the third of four shards).</summary>
    /// <param name="text">The shard, as "index/count" with 0 ≤ index &lt; count.</param>
    /// <returns>The shard.</returns>
    /// <exception cref="FormatException">The text is not "index/count" with 0 ≤ index &lt; count.</exception>
    public static SweepShard Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            && count >= 1 && index < count)
            return new SweepShard(index, count);
        throw new FormatException($"shard is '{text}'; expected 'index/count' with 0 <= index < count, e.g. '0/4'.");
    }

    /// <summary>
    /// The shard this process runs. In order of precedence: <c>--shard i/n</c> in <paramref name="args"/>; a Slurm
    /// array task (<c>SLURM_ARRAY_TASK_ID</c>, <c>SLURM_ARRAY_TASK_COUNT</c>, <c>SLURM_ARRAY_TASK_MIN</c> and
    /// <c>SLURM_ARRAY_TASK_STEP</c>, so <c>--array=1-4</c> and <c>--array=0-6:2</c> work); a Kubernetes Indexed Job
    /// (<c>JOB_COMPLETION_INDEX</c> with the count in <see cref="ShardCountVariable"/>); otherwise <see cref="Whole"/>.
    /// </summary>
    /// <param name="args">The program's arguments; null for none.</param>
    /// <param name="environment">The environment variables; null for this process's.</param>
    /// <returns>The shard.</returns>
    /// <exception cref="FormatException">A variable or argument is present but malformed or inconsistent (the message names it).</exception>
    public static SweepShard FromEnvironment(IReadOnlyList<string>? args = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);
        if (args is not null)
            for (var i = 0; i < args.Count; i++)
            {
                if (args[i] == "--shard")
                    return i + 1 < args.Count ? Parse(args[i + 1]) : throw new FormatException("--shard needs a value 'index/count', e.g. '--shard 0/4'.");
                if (args[i].StartsWith("--shard=", StringComparison.Ordinal)) return Parse(args[i]["--shard=".Length..]);
            }
        if (environment.TryGetValue("SLURM_ARRAY_TASK_ID", out var slurmId))
        {
            var id = Number("SLURM_ARRAY_TASK_ID", slurmId);
            var count = Number("SLURM_ARRAY_TASK_COUNT", environment.GetValueOrDefault("SLURM_ARRAY_TASK_COUNT"));
            var min = environment.TryGetValue("SLURM_ARRAY_TASK_MIN", out var m) ? Number("SLURM_ARRAY_TASK_MIN", m) : 0;
            var step = environment.TryGetValue("SLURM_ARRAY_TASK_STEP", out var s) ? Number("SLURM_ARRAY_TASK_STEP", s) : 1;
            if (step < 1 || id < min || (id - min) % step != 0 || (id - min) / step >= count)
                throw new FormatException($"SLURM_ARRAY_TASK_ID {id} is not one of the {count} tasks from {min} in steps of {step}; " +
                    "submit the array as a plain range (e.g. --array=0-3) or pass --shard i/n.");
            return new SweepShard((id - min) / step, count);
        }
        if (environment.TryGetValue("JOB_COMPLETION_INDEX", out var kubernetesIndex))
        {
            var index = Number("JOB_COMPLETION_INDEX", kubernetesIndex);
            var count = Number(ShardCountVariable, environment.GetValueOrDefault(ShardCountVariable));
            if (index >= count)
                throw new FormatException($"JOB_COMPLETION_INDEX {index} is not below {ShardCountVariable} {count}; set {ShardCountVariable} to the Job's completions.");
            return new SweepShard(index, count);
        }
        return Whole;
    }

    private static int Number(string name, string? value)
    {
        if (value is null) throw new FormatException($"{name} is not set; it is needed with the other shard variables.");
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || (number < 1 && name.EndsWith("COUNT", StringComparison.Ordinal)))
            throw new FormatException($"{name} is '{value}'; expected a {(name.EndsWith("COUNT", StringComparison.Ordinal) ? "positive" : "non-negative")} whole number.");
        return number;
    }
}
