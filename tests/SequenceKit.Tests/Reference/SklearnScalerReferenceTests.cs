using SequenceKit.Preprocessing;

namespace SequenceKit.Tests.Reference;

/// <summary>
/// Scalers on awkward columns against scikit-learn 1.2 (sklearn_reference.json): near-constant features, 1e9 + ulp,
/// NaN, single rows, and values so large that scikit-learn's own statistics overflow. Where they overflow
/// (<c>sklearn_overflows</c>), scikit-learn is no reference (its variance is +Infinity and it then calls the feature
/// constant); the expected values there are computed by hand.
/// </summary>
public class SklearnScalerReferenceTests
{
    public static IEnumerable<TestCaseData> Columns() =>
        ReferenceData.Sklearn["columns"]!.AsArray().Where(c => !(bool)c!["sklearn_overflows"]!).Select(c => new TestCaseData((string)c!["name"]!).SetName($"Scalers_match_scikit_learn_on_{(string)c!["name"]!}"));

    private static System.Text.Json.Nodes.JsonNode Column(string name) =>
        ReferenceData.Sklearn["columns"]!.AsArray().Single(c => (string)c!["name"]! == name)!;

    private static double[,] AsMatrix(double[] x)
    {
        var m = new double[x.Length, 1];
        for (var i = 0; i < x.Length; i++) m[i, 0] = x[i];
        return m;
    }

    /// <summary>A tolerance for NUnit: NaN (a column with no values) means exact, and NaN matches NaN.</summary>
    private static double Tol(double tolerance) => double.IsFinite(tolerance) && tolerance > 0 ? tolerance : 0;

    private static double[] Flat(double[,] m) => Enumerable.Range(0, m.GetLength(0)).Select(i => m[i, 0]).ToArray();

    [TestCaseSource(nameof(Columns))]
    public void Scalers_match_scikit_learn(string name)
    {
        var c = Column(name);
        var x = ReferenceData.Doubles(c["x"]);
        var magnitude = x.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();

        var standard = new StandardScaler();
        var standardized = Flat(standard.FitTransform(AsMatrix(x)));
        var s = c["standard"]!;
        var scale = ReferenceData.Doubles(s["scale"])[0];
        Assert.Multiple(() =>
        {
            // Statistics: relative 1e-15 (an ulp or so). Outputs: one rounding of the mean (ε·|x|) divided by the scale.
            Assert.That(standard.Mean[0], Is.EqualTo(ReferenceData.Doubles(s["mean"])[0]).Within(Tol(1e-15 * magnitude)), "mean_");
            Assert.That(standard.Variance[0], Is.EqualTo(ReferenceData.Doubles(s["var"])[0]).Within(Tol(1e-14 * magnitude * magnitude)), "var_");
            Assert.That(standard.Scale[0], Is.EqualTo(scale).Within(Tol(1e-14 * scale)), "scale_ (1 for a constant feature)");
            Assert.That(standardized, Is.EqualTo(ReferenceData.Doubles(s["transform"])).Within(Tol(2.3e-16 * magnitude / scale + 1e-15)), "transform");
        });

        var minMax = new MinMaxScaler();
        var scaled = Flat(minMax.FitTransform(AsMatrix(x)));
        var m = c["minmax"]!;
        var mScale = ReferenceData.Doubles(m["scale"])[0];
        Assert.Multiple(() =>
        {
            Assert.That(minMax.Scale[0], Is.EqualTo(mScale).Within(Tol(1e-14 * Math.Abs(mScale))), "scale_");
            Assert.That(minMax.Offset[0], Is.EqualTo(ReferenceData.Doubles(m["min"])[0]).Within(Tol(1e-15 * Math.Max(1, magnitude * Math.Abs(mScale)))), "min_");
            Assert.That(scaled, Is.EqualTo(ReferenceData.Doubles(m["transform"])).Within(Tol(1e-15 * Math.Max(1, magnitude * Math.Abs(mScale)))), "transform");
        });
        TestContext.Out.WriteLine($"{name}: standardized [{string.Join(", ", standardized.Select(v => v.ToString("G4")))}], min-max [{string.Join(", ", scaled.Select(v => v.ToString("G4")))}]");
    }

    [Test]
    public void Near_constant_columns_get_scale_one_as_in_scikit_learn()
    {
        // The issue's cases: with double.Epsilon as the rounding bound they gave ±2 (scale 2.8e-17).
        var nearConstant = new StandardScaler();
        var y = Flat(nearConstant.FitTransform(AsMatrix(ReferenceData.Doubles(Column("near_constant")["x"]))));
        Assert.That(nearConstant.Scale[0], Is.EqualTo(1.0));
        Assert.That(y, Is.All.LessThan(1e-16).And.All.GreaterThan(-1e-16));
        var ulp = new StandardScaler();
        var z = Flat(ulp.FitTransform(AsMatrix(ReferenceData.Doubles(Column("one_ulp_above_1e9")["x"]))));
        Assert.That(ulp.Scale[0], Is.EqualTo(1.0));
        Assert.That(z, Is.All.LessThanOrEqualTo(1.2e-7).And.All.GreaterThanOrEqualTo(-1.2e-7));
    }

    [TestCase(1e200, TestName = "Overflowing_columns_standardize_to_plus_minus_one_1e200")]
    [TestCase(1e308, TestName = "Overflowing_columns_standardize_to_plus_minus_one_1e308")]
    public void Overflowing_columns_give_the_exact_finite_values(double v)
    {
        // Hand-computed: [v, −v] has mean 0 and standard deviation v, so it standardizes to [1, −1] and min-max scales
        // to [1, 0]. scikit-learn gives var_ = inf, then scale_ = 1 and outputs [v, −v] (and min-max [0, 0] for 1e308).
        var standard = new StandardScaler();
        var y = Flat(standard.FitTransform(new[,] { { v }, { -v } }));
        Assert.That(standard.Mean[0], Is.EqualTo(0.0));
        Assert.That(standard.Scale[0], Is.EqualTo(v).Within(1e-15 * v));
        Assert.That(standard.Variance[0], Is.EqualTo(double.PositiveInfinity), "v² is beyond double's range; the deviation is not");
        Assert.That(y, Is.EqualTo(new[] { 1.0, -1.0 }).Within(1e-14), "relative 1e-14: the scale 1/v is subnormal for v = 1e308");
        Assert.That(standard.InverseTransform(new[,] { { 1.0 }, { -1.0 } }), Is.EqualTo(new[,] { { v }, { -v } }).Within(1e-14 * v));

        var minMax = new MinMaxScaler();
        Assert.That(Flat(minMax.FitTransform(new[,] { { v }, { -v } })), Is.EqualTo(new[] { 1.0, 0.0 }).Within(1e-15));
        // The inverse needs DataRange / width, which for 2e308 is beyond double's range (documented limit).
        if (v < 1e300)
            Assert.That(minMax.InverseTransform(new[,] { { 1.0 }, { 0.0 } }), Is.EqualTo(new[,] { { v }, { -v } }).Within(1e-15 * v));
    }

    [Test]
    public void Huge_mixed_column_has_finite_statistics_and_no_nan()
    {
        // [1.5e308, −1.7e308, 1e308, 0]: mean 2e307; deviations 1.3, −1.9, 0.8, −0.2 (×1e308); std = 1e308·√(5.98/4).
        var x = ReferenceData.Doubles(Column("huge_mixed")["x"]);
        var standard = new StandardScaler();
        var y = Flat(standard.FitTransform(AsMatrix(x)));
        Assert.That(standard.Mean[0], Is.EqualTo(2e307).Within(1e-14 * 2e307));
        Assert.That(standard.Scale[0], Is.EqualTo(1e308 * Math.Sqrt(5.98 / 4)).Within(1e-14 * 1e308));
        Assert.That(y, Has.None.NaN, "a finite input never gives NaN");
        Assert.That(y[0], Is.EqualTo(1.3 / Math.Sqrt(5.98 / 4)).Within(1e-13));
        Assert.That(y[2], Is.EqualTo(0.8 / Math.Sqrt(5.98 / 4)).Within(1e-13));

        // Streaming one row at a time and a JSON round trip give the same statistics (the scaled M2 is stored with its exponent).
        var streamed = new StandardScaler();
        foreach (var value in x) streamed.PartialFit(new[,] { { value } });
        Assert.That(streamed.Mean[0], Is.EqualTo(standard.Mean[0]).Within(1e-14 * 2e307));
        Assert.That(streamed.Scale[0], Is.EqualTo(standard.Scale[0]).Within(1e-14 * standard.Scale[0]));
        var reloaded = (StandardScaler)Scaler.FromJson(standard.ToJson());
        Assert.That(reloaded.Scale[0], Is.EqualTo(standard.Scale[0]));

        var minMax = new MinMaxScaler();
        var z = Flat(minMax.FitTransform(AsMatrix(x)));
        // Range 3.2e308 (beyond double): (x + 1.7e308) / 3.2e308 = [1, 0, 0.84375, 0.53125].
        Assert.That(z, Is.EqualTo(new[] { 1.0, 0.0, 0.84375, 0.53125 }).Within(1e-15));
    }
}
