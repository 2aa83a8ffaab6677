using SequenceKit.Monitoring;
using SequenceKit.Training.Schedulers;

namespace SequenceKit.Tests.Training.Schedulers;

public class ScheduleTests
{
    private static SchedulePosition At(int epoch, int batch = 0, int batches = 10, int epochs = 10) => new(epoch, batch, batches, epochs);

    [Test]
    public void Step_and_exponential_decay()
    {
        var step = new StepLr(stepSize: 3, gamma: 0.5);
        Assert.That(new[] { 0, 2, 3, 5, 6 }.Select(e => step.LearningRate(1, At(e))), Is.EqualTo(new[] { 1, 1, 0.5, 0.5, 0.25 }));
        Assert.That(new ExponentialLr(0.9).LearningRate(2, At(2)), Is.EqualTo(2 * 0.81).Within(1e-12));
    }

    [Test]
    public void Cosine_annealing_with_warm_restarts()
    {
        var cosine = new CosineAnnealing(period: 4, minRate: 0.1);
        Assert.That(cosine.LearningRate(1, At(0)), Is.EqualTo(1).Within(1e-12));
        Assert.That(cosine.LearningRate(1, At(2)), Is.EqualTo(0.55).Within(1e-12), "half way: (1 + 0.1) / 2");
        Assert.That(cosine.LearningRate(1, At(4)), Is.EqualTo(1).Within(1e-12), "restart");
        Assert.That(cosine.LearningRate(1, At(1, batch: 5)), Is.EqualTo(0.1 + 0.9 * (1 + Math.Cos(Math.PI * 1.5 / 4)) / 2).Within(1e-12), "per batch");
        var growing = new CosineAnnealing(period: 2, periodMultiplier: 2);
        Assert.That(growing.LearningRate(1, At(2)), Is.EqualTo(1).Within(1e-12), "second cycle starts at 2");
        Assert.That(growing.LearningRate(1, At(4)), Is.EqualTo(0.5).Within(1e-12), "and lasts 4 epochs");
    }

    [Test]
    public void One_cycle_rises_to_the_peak_then_falls_per_batch()
    {
        var oneCycle = new OneCycle(maxRate: 1, warmupFraction: 0.25, divFactor: 10, finalDivFactor: 100);
        // 4 epochs × 10 batches: steps 0..39, peak at step 0.25 · 39 = 9.75.
        Assert.That(oneCycle.LearningRate(123, At(0, 0, 10, 4)), Is.EqualTo(0.1).Within(1e-12), "starts at max / divFactor, ignores the base rate");
        var rates = Enumerable.Range(0, 40).Select(s => oneCycle.LearningRate(1, At(s / 10, s % 10, 10, 4))).ToArray();
        Assert.That(rates.Max(), Is.EqualTo(1).Within(0.01));
        Assert.That(Array.IndexOf(rates, rates.Max()), Is.InRange(9, 10));
        Assert.That(rates[^1], Is.EqualTo(0.1 / 100).Within(1e-12));
    }

    [Test]
    public void Linear_warmup_wraps_any_schedule()
    {
        var warm = new LinearWarmup(warmupSteps: 4, then: new StepLr(1, 0.5));
        Assert.That(warm.LearningRate(1, At(0, 0)), Is.EqualTo(0.25));
        Assert.That(warm.LearningRate(1, At(0, 3)), Is.EqualTo(1));
        Assert.That(warm.LearningRate(1, At(1, 0)), Is.EqualTo(0.5), "after warm-up: the inner schedule");
        Assert.That(new LinearWarmup(2).LearningRate(3, At(0, 0)), Is.EqualTo(1.5));
    }

    [Test]
    public void Reduce_lr_on_plateau_trace_with_patience_two_and_factor_half()
    {
        var scheduler = new ReduceLrOnPlateau(new ReduceLrOnPlateauOptions { Factor = 0.5, Patience = 2, MinDelta = 0, MinRate = 0.2 });
        scheduler.Start(MetricMode.Minimize);
        var rate = 1.0;
        var trace = new List<double>();
        foreach (var loss in new[] { 1.0, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5 })
        {
            rate = scheduler.Step(loss, rate, out _);
            trace.Add(rate);
        }
        // Reductions after epochs 3 and 5 (2 epochs without improvement each), then the improvement to 0.5 resets;
        // after epochs 8 and 10 it would halve again but stops at MinRate 0.2.
        Assert.That(trace, Is.EqualTo(new[] { 1, 1, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2 }));
    }

    [Test]
    public void Reduce_lr_on_plateau_explains_its_reduction_and_rejects_bad_factors()
    {
        var scheduler = new ReduceLrOnPlateau(new ReduceLrOnPlateauOptions { Factor = 0.2, Patience = 1, MinDelta = 0 });
        scheduler.Start(MetricMode.Minimize);
        scheduler.Step(1, 1e-3, out _);
        scheduler.Step(1, 1e-3, out var message);
        Assert.That(message, Does.Contain("val_loss").And.Contain("reduced from 0.001 to 0.0002"));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLrOnPlateau(new ReduceLrOnPlateauOptions { Factor = 10 }))!;
        Assert.That(error.Message, Does.Contain("Factor must be in (0, 1); got 10. Use 0.1 to divide the learning rate by 10."));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLrOnPlateau(new ReduceLrOnPlateauOptions { Factor = 1 }));
    }

    [Test]
    public void Invalid_schedule_arguments_are_named()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new StepLr(0))!.ParamName, Is.EqualTo("stepSize"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialLr(1.5))!.ParamName, Is.EqualTo("gamma"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new OneCycle(1, warmupFraction: 1))!.ParamName, Is.EqualTo("warmupFraction"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new LinearWarmup(0))!.ParamName, Is.EqualTo("warmupSteps"));
    }
}
