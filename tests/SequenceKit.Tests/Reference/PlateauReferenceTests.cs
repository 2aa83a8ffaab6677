using SequenceKit.Monitoring;
using SequenceKit.Training.Schedulers;

namespace SequenceKit.Tests.Reference;

/// <summary>
/// The plateau rule's words mean what Keras' <c>ReduceLROnPlateau</c> means by them (patience: reduce when
/// <c>wait ≥ patience</c>; cooldown: counter decremented at the start of each epoch, counting resumes once it is 0;
/// min_delta: strictly more than). Expected traces are hand-computed from Keras' source semantics; PyTorch 1.13's
/// traces (torch_reference.json) pin the stated translation: without cooldown, PyTorch's patience P is ours P + 1.
/// </summary>
public class PlateauReferenceTests
{
    /// <summary>The rate used in each epoch (the rate before that epoch's step).</summary>
    private static double[] RatesUsed(ReduceLrOnPlateau scheduler, IEnumerable<double> values)
    {
        scheduler.Start(MetricMode.Minimize);
        var rate = 1.0;
        var used = new List<double>();
        foreach (var value in values)
        {
            used.Add(rate);
            rate = scheduler.Step(value, rate, out _);
        }
        return used.ToArray();
    }

    [Test]
    public void Flat_loss_patience_2_cooldown_1_cuts_at_epochs_3_5_7_9_as_keras()
    {
        // Keras by hand: e0 improves (best = ∞ before); e1 wait 1; e2 wait 2 → cut, cooldown 1; e3 counter 1 → 0, wait 0,
        // then (not in cooldown) wait 1; e4 wait 2 → cut; … so the halved rate is first used at 0-based epochs 3, 5, 7, 9.
        // (PyTorch with the same numbers cuts at 3, 6, 9, as this rule did before.)
        var used = RatesUsed(new ReduceLrOnPlateau(new() { Factor = 0.5, Patience = 2, Cooldown = 1 }), Enumerable.Repeat(1.0, 10));
        Assert.That(used, Is.EqualTo(new[] { 1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.0625 }));
    }

    [Test]
    public void Improving_then_flat_loss_patience_2_cooldown_2_as_keras()
    {
        // Keras by hand, min_delta 1e-4: e0, e1 improve; e2 wait 1; e3 wait 2 → cut, cooldown 2; e4 counter 2 → 1 (in
        // cooldown) and 0.8 improves; e5 counter 1 → 0, wait 1; e6 wait 2 → cut, cooldown 2; e7 counter → 1, not counted;
        // e8 counter → 0, wait 1; e9 wait 2 → cut.
        double[] values = [1.0, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8];
        var used = RatesUsed(new ReduceLrOnPlateau(new() { Factor = 0.5, Patience = 2, Cooldown = 2 }), values);
        Assert.That(used, Is.EqualTo(new[] { 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25 }));
    }

    [Test]
    public void Min_delta_means_strictly_more_than()
    {
        // Keras: np.less(current, best − min_delta). With min delta 0.25, going from 1 to exactly 0.75 is no improvement
        // (0.75 < 0.75 is false); to 0.7499 is. The values are exact in binary.
        var detector = new PlateauDetector(new PlateauOptions { MinDelta = 0.25, Patience = 5 });
        detector.Update(1);
        Assert.That(detector.Update(0.75).Improved, Is.False, "a change of exactly MinDelta does not count");
        Assert.That(detector.Update(0.7499).Improved, Is.True);
    }

    public static IEnumerable<TestCaseData> TorchTraces() =>
        ReferenceData.Torch["schedules"]!["torch_reduce_lr_on_plateau"]!.AsArray()
            .Where(t => (int)t!["cooldown"]! == 0)
            .Select(t => new TestCaseData((string)t!["sequence"]!, (int)t["patience"]!).SetName($"Torch_patience_{(int)t["patience"]!}_is_ours_{(int)t["patience"]! + 1}_on_{(string)t["sequence"]!}"));

    [TestCaseSource(nameof(TorchTraces))]
    public void Torch_patience_p_equals_our_patience_p_plus_1_without_cooldown(string sequence, int torchPatience)
    {
        var trace = ReferenceData.Torch["schedules"]!["torch_reduce_lr_on_plateau"]!.AsArray()
            .Single(t => (string)t!["sequence"]! == sequence && (int)t["patience"]! == torchPatience && (int)t["cooldown"]! == 0)!;
        var used = RatesUsed(new ReduceLrOnPlateau(new() { Factor = 0.5, Patience = torchPatience + 1, MinDelta = 1e-4 }), ReferenceData.Doubles(trace["values"]));
        Assert.That(used, Is.EqualTo(ReferenceData.Doubles(trace["rates"])).Within(1e-12), "PyTorch's threshold_mode 'abs', threshold 1e-4");
    }
}
