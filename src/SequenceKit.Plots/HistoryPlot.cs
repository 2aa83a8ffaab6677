using ScottPlot;
using SequenceKit.Training;

namespace SequenceKit.Plots;

/// <summary>Draws a training history as a PNG: loss curves (left axis), one metric (right axis), learning-rate changes and the plateau.</summary>
public static class HistoryPlot
{
    /// <summary>Writes the chart.</summary>
    /// <param name="history">The history to draw; at least one epoch.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="title">The chart's title.</param>
    /// <param name="metric">The metric for the right axis (and its "val_" form), e.g. "accuracy"; null for none.</param>
    /// <param name="plateauEpoch">An epoch (from 0) to mark as the start of a plateau, e.g. <c>DoctorCallback.FirstPlateauEpoch</c>; null for none.</param>
    /// <param name="width">Width in pixels. Default 900.</param>
    /// <param name="height">Height in pixels. Default 500.</param>
    /// <exception cref="ArgumentException">The history has no epoch, or the path is empty.</exception>
    public static void SavePng(History history, string path, string title, string? metric = "accuracy", int? plateauEpoch = null, int width = 900, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (history.Epochs.Count == 0) throw new ArgumentException("The history has no completed epoch to draw.", nameof(history));
        var epochs = history.Epochs.Select(e => (double)(e.Epoch + 1)).ToArray();
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("loss");
        Line(plot, epochs, history, "loss", "loss", right: false);
        Line(plot, epochs, history, "val_loss", "val_loss", right: false);
        if (metric is not null)
        {
            Line(plot, epochs, history, metric, metric, right: true);
            Line(plot, epochs, history, "val_" + metric, "val_" + metric, right: true);
            plot.Axes.Right.Label.Text = metric;
        }
        for (var i = 1; i < history.Epochs.Count; i++)
            if (history.Epochs[i].LearningRate != history.Epochs[i - 1].LearningRate)
            {
                var line = plot.Add.VerticalLine(epochs[i]);
                line.LineColor = Colors.Gray;
                line.LinePattern = LinePattern.Dashed;
                line.LegendText = $"lr → {history.Epochs[i].LearningRate:G2}";
            }
        if (plateauEpoch is { } plateau)
        {
            var line = plot.Add.VerticalLine(plateau + 1);
            line.LineColor = Colors.Red;
            line.LegendText = "plateau";
        }
        plot.ShowLegend();
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        plot.SavePng(path, width, height);
    }

    /// <summary>Writes one metric of several runs on one chart (e.g. the validation loss of three cell types).</summary>
    /// <param name="histories">The runs, by label.</param>
    /// <param name="metric">The metric to draw, e.g. "val_loss".</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="title">The chart's title.</param>
    /// <param name="baseline">A horizontal reference line (e.g. the loss of a constant prediction), or null.</param>
    /// <param name="baselineLabel">The reference line's legend text.</param>
    /// <exception cref="ArgumentException">No run, or a run without the metric.</exception>
    public static void SaveComparison(IReadOnlyDictionary<string, History> histories, string metric, string path, string title,
        double? baseline = null, string baselineLabel = "baseline")
    {
        ArgumentNullException.ThrowIfNull(histories);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (histories.Count == 0) throw new ArgumentException("Give at least one history.", nameof(histories));
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(metric);
        foreach (var (label, history) in histories)
        {
            if (history.Epochs.Count == 0 || !history.Epochs[0].Metrics.ContainsKey(metric))
                throw new ArgumentException($"The history '{label}' has no '{metric}'.", nameof(histories));
            var scatter = plot.Add.Scatter(history.Epochs.Select(e => (double)(e.Epoch + 1)).ToArray(), history[metric].ToArray());
            scatter.LegendText = label;
        }
        if (baseline is { } value)
        {
            var line = plot.Add.HorizontalLine(value);
            line.LineColor = Colors.Gray;
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = baselineLabel;
        }
        plot.ShowLegend();
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        plot.SavePng(path, 900, 500);
    }

    private static void Line(Plot plot, double[] epochs, History history, string name, string label, bool right)
    {
        if (!history.Epochs[0].Metrics.ContainsKey(name)) return;
        var scatter = plot.Add.Scatter(epochs, history[name].ToArray());
        scatter.LegendText = label;
        if (right) scatter.Axes.YAxis = plot.Axes.Right;
    }
}
