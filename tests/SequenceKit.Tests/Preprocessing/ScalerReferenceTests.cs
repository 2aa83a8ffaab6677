using SequenceKit.Preprocessing;

namespace SequenceKit.Tests.Preprocessing;

/// <summary>Expected values from scikit-learn's documentation examples, computed by hand.</summary>
public class ScalerReferenceTests
{
    private static readonly float[,] MinMaxExample = { { -1, 2 }, { -0.5f, 6 }, { 0, 10 }, { 1, 18 } };
    private static readonly float[,] StandardExample = { { 0, 0 }, { 0, 0 }, { 1, 1 }, { 1, 1 } };

    [Test]
    public void MinMax_matches_the_scikit_learn_example()
    {
        var scaler = new MinMaxScaler();
        var scaled = scaler.FitTransform(MinMaxExample);
        Assert.That(scaled, Is.EqualTo(new float[,] { { 0, 0 }, { 0.25f, 0.25f }, { 0.5f, 0.5f }, { 1, 1 } }).Within(1e-6f));
        Assert.That(scaler.DataMin, Is.EqualTo(new[] { -1.0, 2 }));
        Assert.That(scaler.DataMax, Is.EqualTo(new[] { 1.0, 18 }));
        Assert.That(scaler.DataRange, Is.EqualTo(new[] { 2.0, 16 }));
        Assert.That(scaler.Scale, Is.EqualTo(new[] { 0.5, 1.0 / 16 }));
        Assert.That(scaler.Offset, Is.EqualTo(new[] { 0.5, -0.125 }));
        Assert.That(scaler.Transform(new float[,] { { 2, 2 } }), Is.EqualTo(new float[,] { { 1.5f, 0 } }).Within(1e-6f));
        Assert.That(scaler.SamplesSeen, Is.EqualTo(4));
    }

    [Test]
    public void Standard_matches_the_scikit_learn_example()
    {
        var scaler = new StandardScaler();
        scaler.Fit(StandardExample);
        Assert.That(scaler.Mean, Is.EqualTo(new[] { 0.5, 0.5 }));
        Assert.That(scaler.Variance, Is.EqualTo(new[] { 0.25, 0.25 }));
        Assert.That(scaler.Scale, Is.EqualTo(new[] { 0.5, 0.5 }));
        Assert.That(scaler.Transform(StandardExample), Is.EqualTo(new float[,] { { -1, -1 }, { -1, -1 }, { 1, 1 }, { 1, 1 } }));
        Assert.That(scaler.Transform(new float[,] { { 2, 2 } }), Is.EqualTo(new float[,] { { 3, 3 } }));
    }

    [Test]
    public void MinMax_custom_range_and_clipping()
    {
        var scaler = new MinMaxScaler(new MinMaxScalerOptions { FeatureRangeMin = -1, FeatureRangeMax = 1, Clip = true });
        scaler.Fit(MinMaxExample);
        // Without clipping [[2, 2]] → [[2, −1]]: feature 0 leaves the range (−1, 1), so clipping brings it to 1.
        Assert.That(scaler.Transform(new float[,] { { 2, 2 }, { 0, 10 } }), Is.EqualTo(new float[,] { { 1, -1 }, { 0, 0 } }).Within(1e-6f));
        var unclipped = new MinMaxScaler(scaler.Options with { Clip = false });
        unclipped.Fit(MinMaxExample);
        Assert.That(unclipped.Transform(new float[,] { { 2, 2 } }), Is.EqualTo(new float[,] { { 2, -1 } }).Within(1e-6f));
    }

    [Test]
    public void Constant_features_get_scale_one()
    {
        float[,] constant = { { 5, 1 }, { 5, 2 }, { 5, 3 } };
        var minMax = new MinMaxScaler(new MinMaxScalerOptions { FeatureRangeMin = 2, FeatureRangeMax = 4 });
        var scaled = minMax.FitTransform(constant);
        Assert.That(minMax.Scale[0], Is.EqualTo(2.0), "range width / 1");
        Assert.That(new[] { scaled[0, 0], scaled[1, 0], scaled[2, 0] }, Is.All.EqualTo(2f), "maps to the range's lower end");
        var standard = new StandardScaler();
        var standardized = standard.FitTransform(constant);
        Assert.That(standard.Scale[0], Is.EqualTo(1.0));
        Assert.That(new[] { standardized[0, 0], standardized[1, 0], standardized[2, 0] }, Is.All.EqualTo(0f));
    }

    [Test]
    public void Nearly_constant_large_feature_is_treated_as_constant()
    {
        // 1e9 repeated: its computed variance is rounding noise, not spread.
        double[,] data = { { 1e9 + 0.1 }, { 1e9 + 0.1 }, { 1e9 + 0.1 } };
        var scaler = new StandardScaler();
        var result = scaler.FitTransform(data);
        Assert.That(scaler.Scale[0], Is.EqualTo(1.0));
        Assert.That(result[0, 0], Is.EqualTo(0).Within(1e-6));
    }

    [Test]
    public void Standard_options_turn_centering_and_scaling_off()
    {
        float[,] data = { { 1 }, { 3 } };                            // mean 2, std 1
        Assert.That(new StandardScaler(new() { WithMean = false }).FitTransform(data), Is.EqualTo(new float[,] { { 1 }, { 3 } }));
        Assert.That(new StandardScaler(new() { WithStd = false }).FitTransform(data), Is.EqualTo(new float[,] { { -1 }, { 1 } }));
        var both = new StandardScaler(new() { WithMean = false, WithStd = false });
        Assert.That(both.FitTransform(data), Is.EqualTo(data));
        Assert.That(both.Mean, Is.EqualTo(new[] { 2.0 }), "statistics are still learned");
    }

    [Test]
    public void NaN_is_ignored_when_fitting_and_kept_when_transforming()
    {
        float[,] data = { { 1, float.NaN }, { float.NaN, 4 }, { 3, 8 } };
        var scaler = new StandardScaler();
        var result = scaler.FitTransform(data);
        Assert.That(scaler.Mean, Is.EqualTo(new[] { 2.0, 6.0 }));
        Assert.That(scaler.ValuesSeenPerFeature, Is.EqualTo(new long[] { 2, 2 }));
        Assert.That(scaler.SamplesSeen, Is.EqualTo(3));
        Assert.That(float.IsNaN(result[0, 1]) && float.IsNaN(result[1, 0]), Is.True);
        Assert.That(result[2, 0], Is.EqualTo(1f));
    }
}
