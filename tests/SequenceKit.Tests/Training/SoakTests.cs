using System.Diagnostics;
using SequenceKit.TestHost;
using SequenceKit.Training;
using SequenceKit.Training.Callbacks;
using TorchSharp;
using static SequenceKit.Tests.Training.TrainingData;

namespace SequenceKit.Tests.Training;

/// <summary>
/// The soak run, outside the default suite: dotnet test tests/SequenceKit.Tests -c Release --filter TestCategory=Long
/// </summary>
[Explicit("Soak run (about a minute); outside the default suite.")]
[Category("Long")]
public class SoakTests : TemporaryFolderTest
{
    /// <summary>Cancels at a random batch, on average every 40 epochs.</summary>
    private sealed class RandomCancel(CancellationTokenSource source, Random random) : Callback
    {
        public override void OnBatchEnd(TrainingContext context)
        {
            if (random.Next(40 * context.BatchesPerEpoch) == 0) source.Cancel();
        }
    }

    [Test]
    public void Five_hundred_epochs_with_random_cancels_and_resumes_equal_a_straight_run()
    {
        const int epochs = 500;
        using var data = ResumeRun.Data();
        using var straight = ResumeRun.Model();
        Trainer.Fit(straight, data, null, ResumeRun.Options(Path.Combine(Folder, "straight"), epochs));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var start = Resident();

        var random = new Random(2026);
        var interruptions = 0;
        History? history = null;
        var checkpoint = ResumeRun.Checkpoint(Folder);
        while (history is null || history.Epochs.Count < epochs)
        {
            using var source = new CancellationTokenSource();
            using var model = ResumeRun.Model();
            history = Trainer.Fit(model, data, null, ResumeRun.Options(Folder, epochs, new RandomCancel(source, random)) with
            {
                ResumeFrom = File.Exists(checkpoint) ? checkpoint : null,
            }, source.Token);
            if (history.StopReason == StopReason.Cancelled) interruptions++;
            else Assert.That(Weights(model), Is.EqualTo(Weights(straight)), "bit-identical to the straight run");
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var growth = (Resident() - start) / (1024.0 * 1024);
        TestContext.Out.WriteLine($"{epochs} epochs, {interruptions} cancellations and resumes; resident memory growth {growth:+0.0;-0.0} MB; live tensors {liveBefore} → {DisposeScopeManager.Statistics.ThreadTotalLiveCount}");

        Assert.That(interruptions, Is.GreaterThanOrEqualTo(5), "the run was really interrupted");
        Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(liveBefore));
        Assert.That(growth, Is.LessThan(50));
    }

    private static long Resident()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}
