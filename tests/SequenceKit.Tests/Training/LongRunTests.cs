using System.Diagnostics;
using SequenceKit.Training;
using SequenceKit.Training.Callbacks;
using TorchSharp;
using static SequenceKit.Tests.Training.TrainingData;

namespace SequenceKit.Tests.Training;

/// <summary>
/// Long runs outside the default suite. Run: dotnet test tests/SequenceKit.Tests -c Release --filter TestCategory=Long
/// </summary>
[Explicit("Long run (about a minute); outside the default suite.")]
[Category("Long")]
public class LongRunTests
{
    /// <summary>Samples resident memory after every epoch.</summary>
    private sealed class ResidentMemory : Callback
    {
        public long Peak { get; private set; }

        public List<long> PerEpoch { get; } = [];

        public List<long> Managed { get; } = [];

        public override void OnEpochEnd(TrainingContext context)
        {
            Managed.Add(GC.GetGCMemoryInfo().TotalCommittedBytes);
            PerEpoch.Add(Resident());
            Peak = Math.Max(Peak, PerEpoch[^1]);
        }
    }

    [Test]
    public void Two_thousand_steps_leave_no_tensor_and_stay_within_50_MB()
    {
        using var train = Dataset(160, 1);
        using var validation = Dataset(32, 2);
        using var model = Model(dropout: true);
        var options = Options(epochs: 1) with { BatchSize = 8 };          // 20 steps per epoch
        Trainer.Fit(model, train, validation, options);                   // warm-up
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var start = Resident();
        var sampler = new ResidentMemory();

        var history = Trainer.Fit(model, train, validation, options with { Epochs = 100, Callbacks = [sampler] });   // 2,000 steps
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var end = Resident();
        var mb = 1024.0 * 1024;
        TestContext.Out.WriteLine($"2,000 steps: resident memory start {start / mb:F1} MB, peak {sampler.Peak / mb:F1} MB, end {end / mb:F1} MB (end − start {(end - start) / mb:+0.0;-0.0} MB); live tensors {liveBefore} → {DisposeScopeManager.Statistics.ThreadTotalLiveCount}");

        TestContext.Out.WriteLine("resident memory after steps 200, 500, 1,000, 1,500, 2,000: " +
            string.Join(", ", new[] { 9, 24, 49, 74, 99 }.Select(e => $"{sampler.PerEpoch[e] / mb:F1} MB (managed committed {sampler.Managed[e] / mb:F1} MB)")));
        Assert.That(history.Epochs, Has.Count.EqualTo(100));
        Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(liveBefore));
        Assert.That((end - start) / mb, Is.LessThan(50));
    }

    private static long Resident()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}
