using System.Diagnostics;
using SequenceKit.Training;
using TorchSharp;
using static SequenceKit.Tests.Training.TrainingData;

namespace SequenceKit.Tests.Training;

public class TrainerMemoryTests
{
    [Test]
    public void Hundreds_of_steps_leave_no_tensor_behind_and_resident_memory_flat()
    {
        using var train = Dataset(64, 1);
        using var validation = Dataset(16, 2);
        using var model = Model(dropout: true);
        var options = Options(epochs: 2) with { BatchSize = 4 };
        Trainer.Fit(model, train, validation, options);                  // warm-up: allocator pools, lazy state
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var residentBefore = Resident();

        var history = Trainer.Fit(model, train, validation, options with { Epochs = 25 });   // 25 × 16 = 400 steps
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var growth = (Resident() - residentBefore) / (1024.0 * 1024);

        Assert.That(history.Epochs, Has.Count.EqualTo(25));
        Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(liveBefore), "live tensors back to their start value");
        Assert.That(growth, Is.LessThan(40), $"resident memory grew {growth:F1} MB over 400 steps");
        TestContext.Out.WriteLine($"resident memory growth over 400 steps: {growth:F1} MB");
    }

    private static long Resident()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}
