using System.Globalization;
using System.Text;

namespace SequenceKit.Training;

/// <summary>What a training run did: one record per completed epoch, and why it stopped.</summary>
public sealed class History
{
    private readonly List<EpochRecord> epochs = [];
    private readonly List<TrainingEvent> events = [];

    /// <summary>The completed epochs, in order.</summary>
    public IReadOnlyList<EpochRecord> Epochs => epochs;

    /// <summary>Why training ended.</summary>
    public StopReason StopReason { get; internal set; } = StopReason.Completed;

    /// <summary>A sentence on why training ended, e.g. the early-stopping rule's reason.</summary>
    public string StopMessage { get; internal set; } = "";

    /// <summary>The values of one metric over the epochs ("lr" for the learning rate).</summary>
    /// <param name="name">The metric's name.</param>
    /// <returns>One value per epoch.</returns>
    /// <exception cref="KeyNotFoundException">No such metric.</exception>
    public IReadOnlyList<double> this[string name] => epochs.Select(e => e[name]).ToArray();

    /// <summary>What happened besides the epochs, in order: <see cref="SkippedStep"/>, <see cref="WeightsRolledBack"/>, <see cref="ParametersRolledBack"/>, <see cref="LearningRateCut"/>.</summary>
    public IReadOnlyList<TrainingEvent> Events => events;

    internal void Add(EpochRecord record) => epochs.Add(record);

    internal void AddEvent(TrainingEvent e) => events.Add(e);

    internal void Restore(IEnumerable<EpochRecord> records)
    {
        epochs.Clear();
        epochs.AddRange(records);
    }

    /// <summary>A table: one row per epoch, a column per metric, the learning rate and the seconds.</summary>
    /// <returns>The table, then the stop reason.</returns>
    public override string ToString()
    {
        if (epochs.Count == 0) return $"(no completed epoch) {StopReason}: {StopMessage}";
        var names = epochs[0].Metrics.Keys.ToArray();
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{"epoch",5}");
        foreach (var n in names) text.Append(CultureInfo.InvariantCulture, $" {n,14}");
        text.AppendLine(CultureInfo.InvariantCulture, $" {"lr",10} {"seconds",8}");
        foreach (var e in epochs)
        {
            text.Append(CultureInfo.InvariantCulture, $"{e.Epoch + 1,5}");
            foreach (var n in names) text.Append(CultureInfo.InvariantCulture, $" {e.Metrics.GetValueOrDefault(n, double.NaN),14:F4}");
            text.AppendLine(CultureInfo.InvariantCulture, $" {e.LearningRate,10:0.0###e+0} {e.Duration.TotalSeconds,8:F2}");
        }
        foreach (var e in events) text.AppendLine(CultureInfo.InvariantCulture, $"event: {e}");
        text.Append(CultureInfo.InvariantCulture, $"{StopReason}: {StopMessage}");
        return text.ToString();
    }
}
