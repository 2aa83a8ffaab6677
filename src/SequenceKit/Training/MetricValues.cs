using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace SequenceKit.Training;

/// <summary>
/// Metric values by name ("loss", "accuracy", …), as <see cref="Trainer.Evaluate"/> returns them. Reading a name that
/// is not there throws a <see cref="KeyNotFoundException"/> that lists the names that are.
/// </summary>
public sealed class MetricValues : IReadOnlyDictionary<string, double>
{
    private readonly IReadOnlyDictionary<string, double> values;

    internal MetricValues(IReadOnlyDictionary<string, double> values) => this.values = values;

    /// <summary>A metric's value.</summary>
    /// <param name="key">The metric's name, e.g. "loss" or "accuracy".</param>
    /// <exception cref="KeyNotFoundException">No such metric; the message lists those there are.</exception>
    public double this[string key] => values.TryGetValue(key, out var value) ? value : throw Missing(key);

    /// <inheritdoc />
    public IEnumerable<string> Keys => values.Keys;

    /// <inheritdoc />
    public IEnumerable<double> Values => values.Values;

    /// <inheritdoc />
    public int Count => values.Count;

    /// <inheritdoc />
    public bool ContainsKey(string key) => values.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out double value) => values.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, double>> GetEnumerator() => values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>"loss 0.1234, accuracy 0.9000".</summary>
    public override string ToString() =>
        string.Join(", ", values.Select(p => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{p.Key} {p.Value:G4}")));

    private KeyNotFoundException Missing(string key)
    {
        var hint = key.StartsWith("val_", StringComparison.Ordinal) && values.ContainsKey(key[4..])
            ? $" Evaluate names metrics without the \"val_\" prefix that Fit gives the validation set's: read \"{key[4..]}\"."
            : "";
        return new KeyNotFoundException($"No metric '{key}'; available: {string.Join(", ", values.Keys)}.{hint}");
    }
}
