using SequenceKit.Preprocessing;

namespace SequenceKit.Tests.Preprocessing;

public class LabelTests
{
    [Test]
    public void Label_encoder_sorts_classes_and_round_trips()
    {
        var encoder = new LabelEncoder<string>();
        var encoded = encoder.FitTransform(["paris", "tokyo", "amsterdam", "tokyo"]);
        Assert.That(encoder.Classes, Is.EqualTo(new[] { "amsterdam", "paris", "tokyo" }));
        Assert.That(encoded, Is.EqualTo(new long[] { 1, 2, 0, 2 }));
        Assert.That(encoder.InverseTransform(encoded), Is.EqualTo(new[] { "paris", "tokyo", "amsterdam", "tokyo" }));
        var numbers = new LabelEncoder<int>();
        Assert.That(numbers.FitTransform([10, -3, 10, 7]), Is.EqualTo(new long[] { 2, 0, 2, 1 }));
    }

    [Test]
    public void Unknown_labels_throw_or_map_to_an_extra_class()
    {
        var strict = new LabelEncoder<string>();
        strict.Fit(["a", "b"]);
        var error = Assert.Throws<ArgumentException>(() => strict.Transform(["a", "zebra"]))!;
        Assert.That(error.Message, Does.Contain("labels[1] = 'zebra'").And.Contain("MapToUnknown"));

        var lenient = new LabelEncoder<string>(UnknownLabelPolicy.MapToUnknown);
        lenient.Fit(["a", "b"]);
        Assert.That(lenient.Transform(["b", "zebra"]), Is.EqualTo(new long[] { 1, 2 }));
        Assert.That(lenient.ClassCount, Is.EqualTo(3));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => lenient.InverseTransform([2]))!.Message, Does.Contain("unknown class"));
        Assert.That(Assert.Throws<InvalidOperationException>(() => new LabelEncoder<int>().Transform([1]))!.Message, Does.Contain("not fitted yet"));
    }

    [Test]
    public void To_categorical_one_hot_encodes()
    {
        Assert.That(Labels.ToCategorical([2, 0, 1], 3), Is.EqualTo(new float[,] { { 0, 0, 1 }, { 1, 0, 0 }, { 0, 1, 0 } }));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Labels.ToCategorical([0, 3], 3))!;
        Assert.That(error.Message, Does.Contain("classIndices[1] = 3").And.Contain("0..2"));
    }

    [Test]
    public void Balanced_weights_follow_n_over_k_times_count()
    {
        // n = 8, k = 2: class 0 ×6 → 8/12, class 1 ×2 → 8/4.
        var weights = Labels.BalancedClassWeights([0, 0, 0, 0, 0, 0, 1, 1], 2);
        Assert.That(weights, Is.EqualTo(new[] { 8.0 / 12, 2.0 }).Within(1e-12));
        Assert.That(Assert.Throws<ArgumentException>(() => Labels.BalancedClassWeights([0, 0], 2))!.Message, Does.Contain("Class 1 never occurs"));
    }

    [Test]
    public void Class_distribution_reports_shares_and_the_majority()
    {
        var distribution = ClassDistribution.Of([3, 3, 1, 3, 0], classCount: 4);
        Assert.That(distribution.Counts, Is.EqualTo(new long[] { 1, 1, 0, 3 }));
        Assert.That(distribution.Shares, Is.EqualTo(new[] { 0.2, 0.2, 0, 0.6 }).Within(1e-12));
        Assert.That(distribution.MajorityClass, Is.EqualTo(3));
        Assert.That(distribution.MajorityShare, Is.EqualTo(0.6).Within(1e-12));
        Assert.That(distribution.ImbalanceRatio, Is.EqualTo(3.0));
        Assert.That(distribution.ToString(), Does.Contain("majority class 3 (60.00% of 5)"));
    }
}
