using SequenceKit.Training;
using SequenceKit.Training.Callbacks;
using TorchSharp;
using static SequenceKit.Tests.Training.TrainingData;

namespace SequenceKit.Tests.Training;

/// <summary>
/// <see cref="MemoryTrimOptions"/>: its checks, the trimming decision (<see cref="TrimPolicy"/>, on a simulated clock)
/// and, on Linux with glibc, that the trainer trims when resident memory grows.
/// </summary>
public class MemoryTrimTests
{
    private const long MiB = 1 << 20;

    [TestCase(0, 16L << 20, 0.01, "CheckInterval")]
    [TestCase(-3, 16L << 20, 0.01, "CheckInterval")]
    [TestCase(1, 1000L, 0.01, "GrowthBytes")]
    [TestCase(1, 16L << 20, 0.0, "MaxTimeShare")]
    [TestCase(1, 16L << 20, 1.5, "MaxTimeShare")]
    [TestCase(1, 16L << 20, double.NaN, "MaxTimeShare")]
    public void Bad_options_are_refused_before_training_naming_the_property(int interval, long growth, double share, string property)
    {
        using var data = Dataset(32, 1);
        using var model = Model();
        var before = Weights(model);
        var options = Options(1) with { MemoryTrim = new MemoryTrimOptions { CheckInterval = interval, GrowthBytes = growth, MaxTimeShare = share } };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Fit(model, data, null, options))!;

        Assert.That(error.ParamName, Is.EqualTo("options"));
        Assert.That(error.Message, Does.Contain("TrainerOptions.MemoryTrim." + property));
        Assert.That(Weights(model), Is.EqualTo(before));
    }

    [Test]
    public void A_trim_is_due_only_once_resident_memory_grew_by_GrowthBytes_above_the_lowest_level_seen()
    {
        var policy = new TrimPolicy(ticksPerSecond: 1000);
        var options = new MemoryTrimOptions { GrowthBytes = 16 * MiB };

        Assert.That(policy.Due(200 * MiB, 1, options), Is.False, "the first check sets the floor");
        Assert.That(policy.Due(215 * MiB, 2, options), Is.False, "15 MiB above the floor");
        Assert.That(policy.Due(190 * MiB, 3, options), Is.False, "lower: the floor follows it down");
        Assert.That(policy.Floor, Is.EqualTo(190 * MiB));
        Assert.That(policy.Due(205 * MiB, 4, options), Is.False, "15 MiB above the new floor");
        Assert.That(policy.Due(206 * MiB, 5, options), Is.True, "16 MiB above it");

        policy.Trimmed(5, 6, 198 * MiB);
        Assert.That(policy.Floor, Is.EqualTo(198 * MiB), "the level the trim left is the new floor");
        Assert.That(policy.Due(210 * MiB, 1000, options), Is.False);
        Assert.That(policy.Due(214 * MiB, 2000, options), Is.True);
    }

    [Test]
    public void A_slow_trim_defers_the_next_one_until_the_time_share_has_paid_for_it()
    {
        // 1,000 ticks a second: at most 100 ticks (0.1 s) of credit saved up; 1% of the time is earned.
        var policy = new TrimPolicy(ticksPerSecond: 1000);
        var options = new MemoryTrimOptions { GrowthBytes = 16 * MiB, MaxTimeShare = 0.01 };
        Assert.That(policy.Due(100 * MiB, 1, options), Is.False);
        Assert.That(policy.Due(200 * MiB, 2, options), Is.True, "a full credit pays for the first trim");

        policy.Trimmed(2, 152, 200 * MiB);             // took 150 ticks: credit 100 − 150 = −50
        // Growth is there at every check from now on; the credit must climb back to 150 ticks: 200 ticks earned at 1%
        // is 20,000 ticks of time after the trim ended (tick 152).
        Assert.That(policy.Due(300 * MiB, 10_152, options), Is.False, "credit 50 < 150");
        Assert.That(policy.Due(300 * MiB, 20_000, options), Is.False, "credit 148.48 < 150");
        Assert.That(policy.Due(200 * MiB + 8 * 16 * MiB - 1, 20_100, options), Is.False, "just under 8 × GrowthBytes: the credit still rules");
        Assert.That(policy.Due(200 * MiB + 8 * 16 * MiB, 20_101, options), Is.True, "8 × GrowthBytes above the floor trims whatever the credit");
        Assert.That(policy.Due(300 * MiB, 20_200, options), Is.True, "credit 150.48 covers the last trim");

        policy.Trimmed(20_200, 20_210, 200 * MiB);      // a fast trim (10 ticks): credit 140.48, enough for the next
        Assert.That(policy.Due(230 * MiB, 20_211, options), Is.True);
    }

    [Test]
    public void Fit_trims_when_resident_memory_grows_and_not_when_the_growth_is_below_the_threshold()
    {
        Assume.That(OperatingSystem.IsLinux(), "malloc_trim is glibc's (Linux)");
        using var data = Dataset(64, 1);
        using var model = Model();
        var trims = MemoryTrimmer.Statistics.Trims;

        // A callback keeps 64 MiB of new tensor memory alive from the third batch: resident memory grows by 64 MiB.
        Trainer.Fit(model, data, null, Options(1) with { BatchSize = 8, MemoryTrim = new MemoryTrimOptions { GrowthBytes = 1L << 40 }, Callbacks = [new Grow()] });
        Assert.That(MemoryTrimmer.Statistics.Trims, Is.EqualTo(trims), "64 MiB of growth is below a 1 TiB threshold");

        var grow = new Grow();
        Trainer.Fit(model, data, null, Options(1) with { BatchSize = 8, MemoryTrim = new MemoryTrimOptions { GrowthBytes = 16 * MiB, MaxTimeShare = 1 }, Callbacks = [grow] });
        Assert.That(MemoryTrimmer.Statistics.Trims, Is.GreaterThan(grow.TrimsBeforeGrowth), "64 MiB of growth at batch 3 is above a 16 MiB threshold: a trim after it");
    }

    /// <summary>Allocates 64 MiB at the third batch and keeps it until training ends.</summary>
    private sealed class Grow : Callback
    {
        private torch.Tensor? kept;

        /// <summary>The process's trim count just before the allocation (earlier trims may come from other tests' leftovers).</summary>
        public long TrimsBeforeGrowth { get; private set; }

        public override void OnBatchEnd(TrainingContext context)
        {
            if (context.Batch != 2) return;
            TrimsBeforeGrowth = MemoryTrimmer.Statistics.Trims;
            kept = torch.ones(16L << 20);
        }

        public override void OnTrainEnd(TrainingContext context) => kept?.Dispose();
    }
}
