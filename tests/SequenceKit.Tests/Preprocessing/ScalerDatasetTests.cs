using SequenceKit.Preprocessing;
using static TorchSharp.torch;

namespace SequenceKit.Tests.Preprocessing;

/// <summary>
/// <c>Fit</c>/<c>PartialFit</c> on a <see cref="SequenceDataset"/>: every real step of every sample is a row of
/// features; expected statistics are computed here with plain loops in double (population variance, as scikit-learn).
/// </summary>
public class ScalerDatasetTests
{
    private static string NpyFile(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "Reference", "data", "npy", name);

    [Test]
    public void Fit_on_a_dataset_read_in_several_chunks_gives_the_mean_and_variance_of_all_its_steps()
    {
        // 5,000 × 30 × 30 = 4.5 million values: more than one 2^22-value chunk.
        var random = new Random(4);
        var x = new float[5000, 30, 30];
        for (var r = 0; r < 5000; r++) for (var t = 0; t < 30; t++) for (var f = 0; f < 30; f++) x[r, t, f] = (float)(random.NextDouble() * (f + 1) + f);
        using var data = SequenceDataset.FromArrays(x, new long[5000]);

        var scaler = new StandardScaler();
        scaler.Fit(data);

        for (var f = 0; f < 30; f += 7)
        {
            double sum = 0, squares = 0;
            for (var r = 0; r < 5000; r++) for (var t = 0; t < 30; t++) sum += x[r, t, f];
            var mean = sum / 150_000;
            for (var r = 0; r < 5000; r++) for (var t = 0; t < 30; t++) squares += (x[r, t, f] - mean) * (x[r, t, f] - mean);
            Assert.That(scaler.Mean[f], Is.EqualTo(mean).Within(1e-9).Percent, $"feature {f}");
            Assert.That(scaler.Variance[f], Is.EqualTo(squares / 150_000).Within(1e-9).Percent, $"feature {f}");
        }
    }

    [Test]
    public void Padded_steps_beyond_a_samples_length_are_left_out()
    {
        var x = new float[3, 4, 1] { { { 1 }, { 2 }, { 999 }, { 999 } }, { { 3 }, { 999 }, { 999 }, { 999 } }, { { 4 }, { 5 }, { 6 }, { 7 } } };
        using var data = SequenceDataset.FromArrays(x, new long[3], lengths: new long[] { 2, 1, 4 });

        var scaler = new MinMaxScaler();
        scaler.Fit(data);

        Assert.That(scaler.DataMin, Is.EqualTo(new[] { 1.0 }));
        Assert.That(scaler.DataMax, Is.EqualTo(new[] { 7.0 }), "the 999s are padding");
    }

    [Test]
    public void PartialFit_on_a_memory_mapped_file_then_an_array_equals_the_statistics_of_both()
    {
        // sequences_f8.npy (NumPy): 6 samples × 4 steps × 2 features, value 100·row + 10·step + feature + 0.5.
        using var file = SequenceDataset.FromNpy(NpyFile("sequences_f8.npy"), NpyFile("labels_i8.npy"));
        var more = new float[,] { { -50, 1000 } };
        var scaler = new MinMaxScaler();

        scaler.PartialFit(file);
        Assert.That(scaler.DataMin, Is.EqualTo(new[] { 0.5, 1.5 }));
        Assert.That(scaler.DataMax, Is.EqualTo(new[] { 530.5, 531.5 }));
        scaler.PartialFit(more);

        Assert.That(scaler.DataMin, Is.EqualTo(new[] { -50.0, 1.5 }));
        Assert.That(scaler.DataMax, Is.EqualTo(new[] { 530.5, 1000.0 }));
    }

    [Test]
    public void An_infinite_value_is_refused_naming_its_row_step_and_feature_and_the_scaler_is_unchanged()
    {
        var x = new float[3, 2, 2];
        x[0, 0, 0] = 1;
        x[2, 1, 1] = float.PositiveInfinity;
        using var data = SequenceDataset.FromArrays(x, new long[3]);
        var scaler = new MinMaxScaler();
        scaler.Fit(new float[,] { { 5, 6 } });

        var error = Assert.Throws<ArgumentException>(() => scaler.PartialFit(data))!;

        Assert.That(error.Message, Does.Contain("row 2 of the dataset, step 1, feature 1"));
        Assert.That(scaler.DataMin, Is.EqualTo(new[] { 5.0, 6.0 }), "nothing was learned");
    }

    [Test]
    public void Token_inputs_are_refused()
    {
        using var data = SequenceDataset.FromArrays(new long[,] { { 1, 2 }, { 3, 4 } }, new long[2]);
        var error = Assert.Throws<ArgumentException>(() => new StandardScaler().Fit(data))!;
        Assert.That(error.ParamName, Is.EqualTo("data"));
        Assert.That(error.Message, Does.Contain("Int64"));
    }

    [Test]
    public void PartialFit_on_a_dataset_with_another_feature_count_is_refused_and_the_scaler_is_unchanged()
    {
        var scaler = new StandardScaler();
        scaler.Fit(new float[,] { { 1, 2, 3 }, { 3, 4, 5 } });
        using var data = SequenceDataset.FromArrays(new float[2, 4, 2], new long[2]);

        var error = Assert.Throws<ArgumentException>(() => scaler.PartialFit(data))!;

        Assert.That(error.Message, Does.Contain("2 feature(s)").And.Contain("fitted on 3"));
        Assert.That(scaler.Mean, Is.EqualTo(new[] { 2.0, 3.0, 4.0 }));
    }
}
