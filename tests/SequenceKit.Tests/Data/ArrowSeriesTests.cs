using SequenceKit.Data;
using SequenceKit.Preprocessing;

namespace SequenceKit.Tests.Data;

/// <summary>
/// Arrow IPC series read with Apache.Arrow, from fixtures written by tests/reference/generate_arrow.cs (two record
/// batches: rows 0–2 and 3–4; a text column "label", a nullable float64 "temp", a float32 "pressure", an int64
/// "count"). The expected values are the generator's literals, written here by hand.
/// </summary>
public class ArrowSeriesTests : TemporaryFolderTest
{
    private static string File(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "Reference", "data", "arrow", name);

    private static readonly float[,] Expected =
    {
        { 20.5f, 1013.25f, 1 }, { 20.75f, 1013f, 2 }, { float.NaN, 1012.5f, 3 }, { 21.25f, 1011.75f, 4 }, { -0.25f, 1011.5f, 5 },
    };

    [TestCase("sensors.arrow")]
    [TestCase("sensors.arrows")]
    public void Every_numeric_column_is_read_across_batches_and_nulls_become_NaN(string name)
    {
        Assert.That(SeriesFile.ReadArrow(File(name)), Is.EqualTo(Expected));
    }

    [Test]
    public void Named_columns_are_read_in_the_order_given()
    {
        var series = SeriesFile.ReadArrow(File("sensors.arrow"), new SeriesArrowOptions { Columns = ["count", "temp"] });
        Assert.That(series, Is.EqualTo(new[,] { { 1, 20.5f }, { 2, 20.75f }, { 3, float.NaN }, { 4, 21.25f }, { 5, -0.25f } }));
    }

    [Test]
    public void The_series_fits_a_scaler_and_makes_windows_like_the_array()
    {
        var series = SeriesFile.ReadArrow(File("sensors.arrow"), new SeriesArrowOptions { Columns = ["pressure"] });
        var scaler = new StandardScaler();
        scaler.Fit(series);
        Assert.That(scaler.Mean, Is.EqualTo(new[] { 1012.4 }).Within(1e-9));     // (1013.25 + 1013 + 1012.5 + 1011.75 + 1011.5) / 5
        var windows = TimeSeriesWindows.Create(series, new WindowOptions(3));
        Assert.That(windows.Targets, Is.EqualTo(new[,] { { 1011.75f }, { 1011.5f } }));
    }

    [Test]
    public void A_value_beyond_float32_is_named_by_row_across_batches_and_column()
    {
        var e = Assert.Throws<DataFileException>(() => SeriesFile.ReadArrow(File("infinite.arrow")))!;
        Assert.That((e.Path, e.Row, e.Column), Is.EqualTo((File("infinite.arrow"), 4L, "temp")));
    }

    [Test]
    public void A_missing_or_non_numeric_column_is_named()
    {
        var missing = Assert.Throws<DataFileException>(() => SeriesFile.ReadArrow(File("sensors.arrow"), new SeriesArrowOptions { Columns = ["humidity"] }))!;
        Assert.That((missing.Row, missing.Column), Is.EqualTo(((long?)null, "humidity")));
        Assert.That(missing.Message, Does.Contain("'pressure'"));
        var text = Assert.Throws<DataFileException>(() => SeriesFile.ReadArrow(File("sensors.arrow"), new SeriesArrowOptions { Columns = ["label"] }))!;
        Assert.That(text.Column, Is.EqualTo("label"));
    }

    [Test]
    public void A_file_that_is_not_arrow_is_refused_with_its_name()
    {
        var path = Path.Combine(Folder, "log.arrow");
        System.IO.File.WriteAllText(path, "temp,pressure\n1,2\n");
        var e = Assert.Throws<DataFileException>(() => SeriesFile.ReadArrow(path))!;
        Assert.That(e.Path, Is.EqualTo(path));
        Assert.That(() => SeriesFile.ReadArrow(Path.Combine(Folder, "absent.arrow")), Throws.InstanceOf<FileNotFoundException>());
        Assert.That(() => SeriesFile.ReadArrow(File("sensors.arrow"), new SeriesArrowOptions { Columns = [] }), Throws.ArgumentException);
    }
}
