using System.Globalization;
using System.Text;
using SequenceKit.IO;

namespace SequenceKit.Training.Callbacks;

/// <summary>
/// Writes the history as CSV after every epoch: epoch, each metric, lr, seconds. The whole file is rewritten
/// atomically each time, so it is always complete.
/// </summary>
/// <param name="path">The CSV file.</param>
public sealed class CsvLogger(string path) : Callback
{
    /// <summary>The CSV file.</summary>
    public string Path { get; } = !string.IsNullOrWhiteSpace(path) ? path : throw new ArgumentException("path must not be empty.", nameof(path));

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context)
    {
        var bytes = Encoding.UTF8.GetBytes(Format(context.History.Epochs));
        AtomicFile.Write(Path, stream => stream.Write(bytes));
    }

    /// <summary>The CSV text of some epochs: a header, then one row per epoch (epochs counted from 1).</summary>
    internal static string Format(IReadOnlyList<EpochRecord> epochs)
    {
        var names = epochs.Count > 0 ? epochs[0].Metrics.Keys.ToArray() : [];
        var text = new StringBuilder();
        text.AppendLine(string.Join(",", names.Prepend("epoch").Append("lr").Append("seconds")));
        foreach (var e in epochs)
            text.AppendLine(string.Join(",", names.Select(n => e.Metrics.GetValueOrDefault(n, double.NaN).ToString("R", CultureInfo.InvariantCulture))
                .Prepend((e.Epoch + 1).ToString(CultureInfo.InvariantCulture))
                .Append(e.LearningRate.ToString("R", CultureInfo.InvariantCulture))
                .Append(e.Duration.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture))));
        return text.ToString();
    }
}
