using SequenceKit.Preprocessing;

namespace SequenceKit.Tests.Preprocessing;

public class ScalerFileTests
{
    [Test]
    public void Loading_a_file_of_the_other_scaler_type_names_both_types()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sk-scaler-{Guid.NewGuid():N}.json");
        try
        {
            var standard = new StandardScaler();
            standard.Fit(new float[,] { { 1 }, { 2 } });
            standard.Save(path);
            var error = Assert.Throws<SequenceKitException>(() => MinMaxScaler.Load(path))!;
            Assert.That(error.Message, Does.Contain("holds a StandardScaler, not a MinMaxScaler"));
            Assert.That(StandardScaler.Load(path).Mean, Is.EqualTo(new[] { 1.5 }));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Invalid_feature_range_names_the_values()
    {
        var error = Assert.Throws<ArgumentException>(() => new MinMaxScaler(new MinMaxScalerOptions { FeatureRangeMin = 1, FeatureRangeMax = 1 }))!;
        Assert.That(error.ParamName, Is.EqualTo("options"));
        Assert.That(error.Message, Does.Contain("(1, 1)"));
        Assert.Throws<ArgumentException>(() => new MinMaxScaler(new MinMaxScalerOptions { FeatureRangeMax = double.PositiveInfinity }));
    }

    [Test]
    public void Missing_file_is_a_FileNotFoundException()
    {
        Assert.Throws<FileNotFoundException>(() => Scaler.Load(Path.Combine(Path.GetTempPath(), "no-such-scaler.json")));
    }
}
