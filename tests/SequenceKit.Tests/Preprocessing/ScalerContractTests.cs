using SequenceKit.Preprocessing;
using static TorchSharp.torch;

namespace SequenceKit.Tests.Preprocessing;

/// <summary>The checks every scaler must pass, run against each implementation.</summary>
[TestFixture(TypeArgs = [typeof(MinMaxScaler)])]
[TestFixture(TypeArgs = [typeof(StandardScaler)])]
public class ScalerContractTests<TScaler> where TScaler : Scaler
{
    /// <summary>A new scaler with default options (each scaler's constructor takes optional options).</summary>
    private static TScaler Create() => (TScaler)Activator.CreateInstance(typeof(TScaler), [null])!;

    private static float[,] Data(int rows, int features, int seed, double offset = 0)
    {
        var random = new Random(seed);
        var data = new float[rows, features];
        for (var i = 0; i < rows; i++)
            for (var f = 0; f < features; f++)
                data[i, f] = (float)(offset + (f + 1) * 10 * random.NextDouble() - f);
        return data;
    }

    [Test]
    public void Inverse_transform_round_trips()
    {
        var data = Data(50, 4, 1);
        var scaler = Create();
        var back = scaler.InverseTransform(scaler.FitTransform(data));
        Assert.That(back, Is.EqualTo(data).Within(1e-4f));
    }

    [Test]
    public void NaN_passes_through_and_does_not_disturb_other_values()
    {
        var data = Data(20, 3, 2);
        var clean = Create();
        clean.Fit(data);
        var withNaN = (float[,])data.Clone();
        withNaN[5, 1] = float.NaN;
        var result = clean.Transform(withNaN);
        Assert.That(float.IsNaN(result[5, 1]), Is.True);
        Assert.That(result[5, 0], Is.EqualTo(clean.Transform(data)[5, 0]));
        Assert.That(float.IsNaN(clean.InverseTransform(result)[5, 1]), Is.True);
    }

    [Test]
    public void Not_fitted_says_so_and_names_the_type()
    {
        var scaler = Create();
        Assert.That(scaler.IsFitted, Is.False);
        var error = Assert.Throws<InvalidOperationException>(() => scaler.Transform(Data(2, 2, 3)))!;
        Assert.That(error.Message, Does.StartWith($"This {typeof(TScaler).Name} is not fitted yet; call Fit first"));
        Assert.Throws<InvalidOperationException>(() => scaler.InverseTransform(Data(2, 2, 3)));
        Assert.Throws<InvalidOperationException>(() => scaler.ToJson());
    }

    [Test]
    public void Feature_count_mismatch_names_both_counts()
    {
        var scaler = Create();
        scaler.Fit(Data(10, 3, 4));
        var error = Assert.Throws<ArgumentException>(() => scaler.Transform(Data(5, 2, 5)))!;
        Assert.That(error.ParamName, Is.EqualTo("data"));
        Assert.That(error.Message, Does.Contain("2 feature(s)").And.Contain("fitted on 3"));
        Assert.That(Assert.Throws<ArgumentException>(() => scaler.PartialFit(Data(5, 4, 6)))!.Message, Does.Contain("4 feature(s)").And.Contain("fitted on 3"));
    }

    [Test]
    public void Infinity_is_rejected_with_its_position_and_leaves_the_state_unchanged()
    {
        var scaler = Create();
        var data = Data(10, 2, 7);
        scaler.Fit(data);
        var before = scaler.ToJson();
        var bad = (float[,])data.Clone();
        bad[7, 1] = float.NegativeInfinity;
        var error = Assert.Throws<ArgumentException>(() => scaler.PartialFit(bad))!;
        Assert.That(error.Message, Does.Contain("-Infinity at [7, 1]"));
        Assert.That(scaler.ToJson(), Is.EqualTo(before), "a rejected batch changes nothing");
        Assert.That(Assert.Throws<ArgumentException>(() => scaler.Transform(bad))!.Message, Does.Contain("Infinity at [7, 1]"));
    }

    [Test]
    public void Empty_and_ragged_input_is_rejected()
    {
        var scaler = Create();
        Assert.That(Assert.Throws<ArgumentException>(() => scaler.Fit(new float[0, 3]))!.Message, Does.Contain("empty").And.Contain("[0, 3]"));
        Assert.That(Assert.Throws<ArgumentException>(() => scaler.Fit(Array.Empty<float[]>()))!.Message, Does.Contain("empty"));
        Assert.That(Assert.Throws<ArgumentException>(() => scaler.Fit(new[] { new float[] { 1, 2 }, new float[] { 3 } }))!.Message,
            Does.Contain("ragged").And.Contain("data[1] has 1").And.Contain("data[0] has 2"));
        Assert.Throws<ArgumentNullException>(() => scaler.Fit((float[,])null!));
    }

    [Test]
    public void Every_input_form_gives_the_same_result()
    {
        var data = Data(12, 3, 8);
        var reference = Create();
        var expected = reference.FitTransform(data);

        var jagged = Enumerable.Range(0, 12).Select(i => Enumerable.Range(0, 3).Select(f => data[i, f]).ToArray()).ToArray();
        var fromJagged = Create().FitTransform(jagged);
        var doubles = new double[12, 3];
        for (var i = 0; i < 12; i++) for (var f = 0; f < 3; f++) doubles[i, f] = data[i, f];
        var fromDoubles = Create().FitTransform(doubles);
        var cube = new float[3, 4, 3];                                    // 3 samples × 4 steps = the same 12 rows
        for (var i = 0; i < 12; i++) for (var f = 0; f < 3; f++) cube[i / 4, i % 4, f] = data[i, f];
        var fromCube = Create().FitTransform(cube);
        using var tensorData = tensor(data);
        var tensorScaler = Create();
        using var fromTensor = tensorScaler.FitTransform(tensorData);

        for (var i = 0; i < 12; i++)
            for (var f = 0; f < 3; f++)
            {
                Assert.That(fromJagged[i][f], Is.EqualTo(expected[i, f]));
                Assert.That(fromDoubles[i, f], Is.EqualTo(expected[i, f]).Within(1e-5));
                Assert.That(fromCube[i / 4, i % 4, f], Is.EqualTo(expected[i, f]));
                Assert.That(fromTensor[i, f].item<float>(), Is.EqualTo(expected[i, f]).Within(1e-5f));
            }
        Assert.That(tensorScaler.ToJson(), Is.EqualTo(reference.ToJson()), "a tensor fit learns the same state");
    }

    [Test]
    public void Span_transform_matches_the_array_transform_in_place_too()
    {
        var data = Data(9, 3, 14);
        var scaler = Create();
        var expected = scaler.FitTransform(data);
        var flat = data.Cast<float>().ToArray();
        scaler.Transform(flat, flat);                                  // in place
        Assert.That(flat, Is.EqualTo(expected.Cast<float>()));
        scaler.InverseTransform(flat, flat);
        Assert.That(flat, Is.EqualTo(data.Cast<float>()).Within(1e-4f));
        Assert.That(Assert.Throws<ArgumentException>(() => scaler.Transform(new float[4], new float[4]))!.Message, Does.Contain("multiple of the 3 features"));
        Assert.That(Assert.Throws<ArgumentException>(() => scaler.Transform(new float[3], new float[6]))!.ParamName, Is.EqualTo("destination"));
    }

    [Test]
    public void Tensor_results_keep_device_dtype_and_shape()
    {
        var scaler = Create();
        using var x = tensor(Data(6, 2, 9)).reshape(3, 2, 2).to(ScalarType.Float64);
        using var y = scaler.FitTransform(x);
        Assert.That(y.shape, Is.EqualTo(x.shape));
        Assert.That(y.dtype, Is.EqualTo(ScalarType.Float64));
        Assert.That(y.device_type, Is.EqualTo(x.device_type));
        using var back = scaler.InverseTransform(y);
        Assert.That(back.allclose(x, rtol: 1e-9, atol: 1e-9), Is.True);
        using var integers = zeros(new long[] { 2, 2 }, dtype: ScalarType.Int32);
        Assert.That(Assert.Throws<ArgumentException>(() => scaler.Transform(integers))!.Message, Does.Contain("floating-point"));
        using var vector = zeros(4);
        Assert.That(Assert.Throws<ArgumentException>(() => scaler.Transform(vector))!.Message, Does.Contain("rank 1"));
    }

    [TestCase(1)]
    [TestCase(7)]
    [TestCase(1000)]
    public void Partial_fit_in_chunks_equals_one_fit_even_far_from_zero(int chunks)
    {
        const int rows = 10_000, features = 3;
        var random = new Random(11);
        var data = new double[rows, features];
        for (var i = 0; i < rows; i++)
            for (var f = 0; f < features; f++)
                data[i, f] = 1e9 + f * 1e3 + random.NextDouble() * (f + 1);

        var whole = Create();
        whole.Fit(data);
        var streamed = Create();
        var bounds = Enumerable.Range(0, chunks + 1).Select(c => (int)((long)c * c * rows / ((long)chunks * chunks))).ToArray(); // uneven chunks
        for (var c = 0; c < chunks; c++)
        {
            var chunk = new double[bounds[c + 1] - bounds[c], features];
            for (var i = 0; i < chunk.GetLength(0); i++) for (var f = 0; f < features; f++) chunk[i, f] = data[bounds[c] + i, f];
            if (chunk.Length > 0) streamed.PartialFit(chunk);
        }
        Assert.That(streamed.SamplesSeen, Is.EqualTo(rows));

        // Reference: textbook two-pass mean and population variance.
        for (var f = 0; f < features; f++)
        {
            double mean = 0, m2 = 0;
            for (var i = 0; i < rows; i++) mean += data[i, f];
            mean /= rows;
            for (var i = 0; i < rows; i++) m2 += (data[i, f] - mean) * (data[i, f] - mean);
            var variance = m2 / rows;
            var (streamedMean, streamedVariance) = MeanAndVariance(streamed, f);
            var (wholeMean, wholeVariance) = MeanAndVariance(whole, f);
            Assert.That(streamedMean, Is.EqualTo(mean).Within(1e-6).Percent);
            Assert.That(wholeMean, Is.EqualTo(mean).Within(1e-6).Percent);
            Assert.That(streamedVariance, Is.EqualTo(variance).Within(1e-4).Percent, $"feature {f}: relative error must be < 1e-6");
            Assert.That(wholeVariance, Is.EqualTo(variance).Within(1e-4).Percent);
        }
        var probe = new double[,] { { 1e9, 1e9 + 1e3, 1e9 + 2e3 } };
        Assert.That(streamed.Transform(probe), Is.EqualTo(whole.Transform(probe)).Within(1e-5), "means agree to a few ulps of 1e9");
    }

    private static (double Mean, double Variance) MeanAndVariance(Scaler scaler, int feature) => scaler switch
    {
        StandardScaler s => (s.Mean[feature], s.Variance[feature]),
        // MinMax keeps the same statistics; read them through its JSON state.
        _ => ReadState(scaler, feature),
    };

    private static (double, double) ReadState(Scaler scaler, int feature)
    {
        var state = System.Text.Json.Nodes.JsonNode.Parse(scaler.ToJson())!["state"]!;
        var count = (double)state["count"]![feature]!;
        return ((double)state["mean"]![feature]!, (double)state["m2"]![feature]! / count);
    }

    [Test]
    public void Json_round_trip_restores_the_same_transform()
    {
        var data = Data(30, 3, 12);
        var scaler = Create();
        scaler.Fit(data);
        var restored = Scaler.FromJson(scaler.ToJson());
        Assert.That(restored, Is.InstanceOf<TScaler>());
        Assert.That(restored.Transform(data), Is.EqualTo(scaler.Transform(data)));
        Assert.That(restored.SamplesSeen, Is.EqualTo(30));

        var path = Path.Combine(Path.GetTempPath(), $"sk-scaler-{Guid.NewGuid():N}.json");
        try
        {
            scaler.Save(path);
            Assert.That(Scaler.Load(path).Transform(data), Is.EqualTo(scaler.Transform(data)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Corrupt_scaler_json_is_rejected_clearly()
    {
        var scaler = Create();
        scaler.Fit(Data(5, 2, 13));
        var json = scaler.ToJson();
        Assert.That(Assert.Throws<PreprocessingFileException>(() => Scaler.FromJson(json[..(json.Length / 2)]))!.Message, Does.Contain("cannot be read"));
        Assert.That(Assert.Throws<PreprocessingFileException>(() => Scaler.FromJson(json.Replace("\"featureCount\": 2", "\"featureCount\": 3")))!.Message,
            Does.Contain("SHA-256"), "an edit without a new hash is refused by the hash");
        Assert.That(Assert.Throws<PreprocessingFileException>(() => Scaler.FromJson(SignedJson.Edit(json, r => r["state"]!["featureCount"] = 3)))!.Message,
            Does.Contain("for 3 features"));
        Assert.That(Assert.Throws<PreprocessingFileException>(() => Scaler.FromJson(SignedJson.Edit(json, r => r["type"] = "RobustScaler")))!.Message,
            Does.Contain("unknown scaler type 'RobustScaler'"));
        Assert.That(Assert.Throws<PreprocessingFileException>(() => Scaler.FromJson("{\"format\":\"something else\"}"))!.Message, Does.Contain("something else"));
    }
}
