using SequenceKit.Monitoring;

namespace SequenceKit.Tests.Monitoring;

public class PlateauDetectorTests
{
    [Test]
    public void Plateau_fires_when_epochs_without_improvement_reach_patience_keras_rule()
    {
        var detector = new PlateauDetector(new PlateauOptions { Patience = 2, MinDelta = 0 }, "val_loss");
        var first = detector.Update(1.0);
        Assert.That(first.Improved, Is.True);
        var one = detector.Update(1.0);                      // 1 epoch without improvement: not yet
        Assert.That((one.Plateaued, one.EpochsWithoutImprovement), Is.EqualTo((false, 1)));
        var two = detector.Update(1.0);                      // 2 ≥ patience 2: plateau now (PyTorch would wait for 3)
        Assert.That((two.Plateaued, two.EpochsWithoutImprovement), Is.EqualTo((true, 2)));
        Assert.That(two.Reason, Does.Contain("val_loss 1 did not improve on 1 for 2 epoch(s) (patience 2"));
        Assert.That(detector.EpochsWithoutImprovement, Is.Zero, "the count restarts after a plateau");
    }

    [Test]
    public void Min_delta_absolute_and_relative()
    {
        var absolute = new PlateauDetector(new PlateauOptions { MinDelta = 0.1, Patience = 5 });
        absolute.Update(1.0);
        Assert.That(absolute.Update(0.95).Improved, Is.False, "0.05 < min delta 0.1");
        Assert.That(absolute.Update(0.85).Improved, Is.True);
        var relative = new PlateauDetector(new PlateauOptions { MinDelta = 0.1, MinDeltaMode = MinDeltaMode.Relative, Patience = 5 });
        relative.Update(100);
        Assert.That(relative.Update(95).Improved, Is.False, "5 < 10% of 100");
        Assert.That(relative.Update(89).Improved, Is.True);
    }

    [Test]
    public void Maximize_mode_and_NaN()
    {
        var detector = new PlateauDetector(new PlateauOptions { Mode = MetricMode.Maximize, MinDelta = 0, Patience = 3 });
        Assert.That(detector.Update(double.NaN).Improved, Is.False, "NaN never improves");
        Assert.That(detector.Update(0.5).Improved, Is.True);
        Assert.That(detector.Update(0.4).Improved, Is.False);
        Assert.That(detector.Update(0.6).Improved, Is.True);
        Assert.That(detector.Best, Is.EqualTo(0.6));
    }

    [Test]
    public void Cooldown_suspends_counting_after_a_plateau_as_keras()
    {
        // Keras: the cooldown counter (3) is decremented at the start of each update; updates count once it is 0.
        var detector = new PlateauDetector(new PlateauOptions { Patience = 1, Cooldown = 3, MinDelta = 0 });
        detector.Update(1);
        Assert.That(detector.Update(1).Plateaued, Is.True);
        var cooling1 = detector.Update(1);                  // counter 3 → 2: not counted
        var cooling2 = detector.Update(1);                  // 2 → 1: not counted
        Assert.That((cooling1.InCooldown, cooling1.Plateaued, cooling2.InCooldown, cooling2.Plateaued), Is.EqualTo((true, false, true, false)));
        var resumed = detector.Update(1);                   // 1 → 0: counted, patience 1 reached
        Assert.That((resumed.InCooldown, resumed.Plateaued), Is.EqualTo((false, true)), "counting resumes in the cooldown's last epoch");
    }

    [Test]
    public void State_round_trips_and_bad_options_are_named()
    {
        var detector = new PlateauDetector(new PlateauOptions { Patience = 3 });
        detector.Update(2);
        detector.Update(3);
        var copy = new PlateauDetector(new PlateauOptions { Patience = 3 });
        copy.SetState(detector.GetState());
        Assert.That(copy.Update(3), Is.EqualTo(detector.Update(3)));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new PlateauDetector(new PlateauOptions { Patience = 0 }))!.ParamName, Is.EqualTo("Patience"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new PlateauDetector(new PlateauOptions { MinDelta = -1 }))!.Message, Does.Contain("got -1"));
    }
}
