using System.Diagnostics;
using SequenceKit.TestHost;
using SequenceKit.Tests.IO;
using SequenceKit.Training;
using SequenceKit.Training.Callbacks;
using SequenceKit.Training.Optimizers;
using static SequenceKit.Tests.Training.TrainingData;

namespace SequenceKit.Tests.Training;

/// <summary>Faults during training never cost the last good checkpoint, and training resumes from it.</summary>
public class FaultTests : TemporaryFolderTest
{
    private sealed class CancelAt(CancellationTokenSource source, int epoch, int batch) : Callback
    {
        public override void OnBatchEnd(TrainingContext context)
        {
            if (context.Epoch == epoch && context.Batch == batch) source.Cancel();
        }
    }

    [TestCase(500L, false)]
    [TestCase(long.MaxValue, true)]
    public void A_failed_checkpoint_write_leaves_the_previous_checkpoint_loadable(long budget, bool failOnFlush)
    {
        using var data = ResumeRun.Data();
        using var model = ResumeRun.Model();
        var history = Trainer.Fit(model, data, null, ResumeRun.Options(Folder, 2));
        var checkpoint = ResumeRun.Checkpoint(Folder);
        var before = File.ReadAllBytes(checkpoint);

        using var optimizer = new Adam().Create(model.parameters());
        Assert.Throws<IOException>(() => TrainingCheckpoint.Save(checkpoint, model, optimizer, ResumeRun.Options(Folder, 3), history, 2, 1e-3,
            stream => new FaultyStream(stream, budget, failOnFlush)));

        Assert.That(File.ReadAllBytes(checkpoint), Is.EqualTo(before), "the previous checkpoint is untouched");
        Assert.That(Directory.GetFiles(Folder).Where(f => f.EndsWith(".tmp", StringComparison.Ordinal)), Is.Empty);
        using var resumed = ResumeRun.Model();
        var more = Trainer.Fit(resumed, data, null, ResumeRun.Options(Folder, 3) with { ResumeFrom = checkpoint });
        Assert.That(more.Epochs, Has.Count.EqualTo(3), "2 restored + 1 trained");
    }

    [Test]
    public void A_run_cancelled_mid_epoch_and_resumed_from_its_checkpoint_ends_with_the_same_weights()
    {
        using var data = ResumeRun.Data();
        using var straight = ResumeRun.Model();
        var folder = Path.Combine(Folder, "straight");
        Trainer.Fit(straight, data, null, ResumeRun.Options(folder, 6));

        using var interrupted = ResumeRun.Model();
        using var source = new CancellationTokenSource();
        var partial = Trainer.Fit(interrupted, data, null, ResumeRun.Options(Folder, 6, new CancelAt(source, epoch: 3, batch: 4)), source.Token);
        Assert.That(partial.StopReason, Is.EqualTo(StopReason.Cancelled));
        Assert.That(partial.Epochs, Has.Count.EqualTo(3));

        using var resumed = ResumeRun.Model();
        Trainer.Fit(resumed, data, null, ResumeRun.Options(Folder, 6) with { ResumeFrom = ResumeRun.Checkpoint(Folder) });
        Assert.That(Weights(resumed), Is.EqualTo(Weights(straight)));
    }

    [Test]
    public void A_process_killed_during_training_leaves_a_checkpoint_to_resume_from()
    {
        var host = Path.Combine(TestContext.CurrentContext.TestDirectory, "SequenceKit.TestHost.dll");
        var start = new ProcessStartInfo("dotnet", [host, "train-until-killed", Folder]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var epochs = 0;
        var clock = Stopwatch.StartNew();
        while (epochs < 5 && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var line = process.StandardOutput.ReadLine();
            if (line is null) break;
            if (line.StartsWith("epoch ", StringComparison.Ordinal)) epochs++;
        }
        process.Kill(entireProcessTree: true);                      // SIGKILL: no chance to clean up
        process.WaitForExit(10_000);
        Assert.That(epochs, Is.GreaterThanOrEqualTo(5), process.StandardError.ReadToEnd());

        using var data = ResumeRun.Data();
        using var model = ResumeRun.Model();
        var history = Trainer.Fit(model, data, null, ResumeRun.Options(Folder, 100_000) with
        {
            ResumeFrom = ResumeRun.Checkpoint(Folder),
            Callbacks = [new StopAfter(2)],
        });
        Assert.That(history.Epochs.Count, Is.GreaterThanOrEqualTo(epochs + 2), "the restored epochs plus two more");
        Assert.That(history.Epochs.Select(e => e.Epoch), Is.EqualTo(Enumerable.Range(0, history.Epochs.Count)), "epochs continue without a gap");
    }

    private sealed class StopAfter(int epochs) : Callback
    {
        private int seen;

        public override void OnEpochEnd(TrainingContext context)
        {
            if (++seen == epochs) context.RequestStop(StopReason.Callback, "enough");
        }
    }
}
