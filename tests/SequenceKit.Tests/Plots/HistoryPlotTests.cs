using SequenceKit.Plots;
using SequenceKit.Training;
using SequenceKit.Training.Schedulers;
using static SequenceKit.Tests.Training.TrainingData;

namespace SequenceKit.Tests.Plots;

public class HistoryPlotTests : TemporaryFolderTest
{
    [Test]
    public void Writes_a_png_of_a_history_with_rate_changes_and_a_plateau()
    {
        using var train = Dataset(32, 1);
        using var model = Model();
        var history = Trainer.Fit(model, train, train, Options(epochs: 4) with
        {
            MetricScheduler = new ReduceLrOnPlateau(new() { Factor = 0.5, Patience = 1, MinDelta = 100 }),
        });
        var path = Path.Combine(Folder, "charts", "history.png");
        HistoryPlot.SavePng(history, path, "test", plateauEpoch: 1);
        var bytes = File.ReadAllBytes(path);
        Assert.That(bytes[..8], Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), "PNG signature");
        Assert.That(bytes, Has.Length.GreaterThan(5_000));
        Assert.That(Assert.Throws<ArgumentException>(() => HistoryPlot.SavePng(new History(), path, "empty"))!.Message, Does.Contain("no completed epoch"));
    }
}
