using System.Globalization;
using SequenceKit.Data;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Losses;

namespace SequenceKit.Tests.Data;

/// <summary>
/// CSV series read with Sep: the values a person wrote in the committed fixture (Reference/data/csv/sensors.csv),
/// chunks, the .npy conversion, scalers fitted chunk by chunk against scikit-learn's formulas worked by hand, the same
/// training as from the array, and errors that name the file, the row and the column.
/// </summary>
public class CsvSeriesTests : TemporaryFolderTest
{
    private static string Sensors => Path.Combine(TestContext.CurrentContext.TestDirectory, "Reference", "data", "csv", "sensors.csv");

    /// <summary>The fixture's temp and pressure columns as written (the empty field and NaN are missing values).</summary>
    private static readonly float[,] Expected =
    {
        { 20.5f, 1013.25f }, { 20.75f, 1013f }, { float.NaN, 1012.5f }, { 21.25f, float.NaN }, { 21.5f, 1011.75f }, { -0.25f, 1011.5f },
    };

    private string Write(string text, string name = "series.csv")
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Test]
    public void Every_numeric_column_is_read_by_default_and_missing_values_stay_NaN()
    {
        Assert.That(SeriesFile.ReadCsvColumns(Sensors), Is.EqualTo(new[] { "temp", "pressure" }));   // time and status are text
        Assert.That(SeriesFile.ReadCsv(Sensors), Is.EqualTo(Expected));
    }

    [Test]
    public void Named_columns_are_read_in_the_order_given()
    {
        var series = SeriesFile.ReadCsv(Sensors, new SeriesCsvOptions { Columns = ["pressure", "temp"] });
        Assert.That(series.GetLength(0), Is.EqualTo(6));
        Assert.That(series[0, 0], Is.EqualTo(1013.25f));
        Assert.That(series[5, 1], Is.EqualTo(-0.25f));
    }

    [Test]
    public void Without_a_header_columns_are_positions_and_the_separator_is_an_option()
    {
        var path = Write("1;10;x\n2;\"20\";y\n3;30.5;z\n");
        var options = new SeriesCsvOptions { HasHeader = false, Separator = ';', Columns = ["1", "0"] };
        Assert.That(SeriesFile.ReadCsv(path, options), Is.EqualTo(new float[,] { { 10, 1 }, { 20, 2 }, { 30.5f, 3 } }));
        Assert.That(SeriesFile.ReadCsvColumns(path, options with { Columns = null }), Is.EqualTo(new[] { "0", "1" }));
    }

    [Test]
    public void Chunks_cover_the_series_in_order()
    {
        var chunks = SeriesFile.ReadCsvChunks(Sensors, rowsPerChunk: 4).ToList();
        Assert.That(chunks.Select(c => c.GetLength(0)), Is.EqualTo(new[] { 4, 2 }));
        Assert.That(chunks[1], Is.EqualTo(new[,] { { 21.5f, 1011.75f }, { -0.25f, 1011.5f } }));
        Assert.That(() => SeriesFile.ReadCsvChunks(Sensors, rowsPerChunk: 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void A_standard_scaler_fitted_chunk_by_chunk_has_scikit_learns_statistics()
    {
        // By hand, NaN ignored (scikit-learn's rule), population variance (ddof 0):
        // temp: 20.5, 20.75, 21.25, 21.5, −0.25 → mean 83.75 / 5 = 16.75; squared deviations 14.0625 + 16 + 20.25 + 22.5625 + 289 = 361.875 → 72.375.
        // pressure: 1013.25, 1013, 1012.5, 1011.75, 1011.5 → mean 5062 / 5 = 1012.4; 0.7225 + 0.36 + 0.01 + 0.4225 + 0.81 = 2.325 → 0.465.
        var chunked = new StandardScaler();
        foreach (var chunk in SeriesFile.ReadCsvChunks(Sensors, rowsPerChunk: 2)) chunked.PartialFit(chunk);
        var whole = new StandardScaler();
        whole.Fit(SeriesFile.ReadCsv(Sensors));
        foreach (var scaler in new[] { chunked, whole })
        {
            Assert.That(scaler.SamplesSeen, Is.EqualTo(6));
            Assert.That(scaler.ValuesSeenPerFeature, Is.EqualTo(new long[] { 5, 5 }));
            Assert.That(scaler.Mean, Is.EqualTo(new[] { 16.75, 1012.4 }).Within(1e-9));
            Assert.That(scaler.Variance, Is.EqualTo(new[] { 72.375, 0.465 }).Within(1e-9));
        }
        var minMax = new MinMaxScaler();
        foreach (var chunk in SeriesFile.ReadCsvChunks(Sensors, rowsPerChunk: 4)) minMax.PartialFit(chunk);
        Assert.That(minMax.DataMin, Is.EqualTo(new[] { -0.25, 1011.5 }));
        Assert.That(minMax.DataMax, Is.EqualTo(new[] { 21.5, 1013.25 }));
    }

    [Test]
    public void CsvToNpy_writes_a_float32_file_that_FromNpy_maps_with_the_same_values()
    {
        var npy = Path.Combine(Folder, "sensors.npy");
        Assert.That(SeriesFile.CsvToNpy(Sensors, npy), Is.EqualTo(6));
        var header = NpyFile.ReadHeader(npy);
        Assert.That(header.Shape, Is.EqualTo(new long[] { 6, 2 }));
        Assert.That(header.Type, Is.EqualTo(TorchSharp.torch.ScalarType.Float32));
        Assert.That(header.DataOffset % 64, Is.Zero);
        using var data = SequenceDataset.FromNpy(npy, npy);
        using var batch = data.GetBatch([0, 1, 2, 3, 4, 5]);
        var values = new float[6, 2];
        batch.Inputs.data<float>().ToArray().CopyTo(NumericArray.Elements<float>(values));
        Assert.That(values, Is.EqualTo(SeriesFile.ReadCsv(Sensors)));
    }

    [Test]
    public void CsvToNpy_leaves_no_file_when_the_csv_is_bad()
    {
        var npy = Path.Combine(Folder, "bad.npy");
        var csv = Write("a,b\n1,2\n3,oops\n");
        Assert.That(() => SeriesFile.CsvToNpy(csv, npy), Throws.InstanceOf<DataFileException>());
        Assert.That(Directory.GetFiles(Folder).Select(Path.GetFileName), Is.EqualTo(new[] { "series.csv" }));
    }

    [Test]
    public void Training_from_a_csv_series_matches_training_from_the_same_array()
    {
        var array = new float[40, 2];
        var text = new System.Text.StringBuilder("level,rate\n");
        for (var t = 0; t < 40; t++)
        {
            (array[t, 0], array[t, 1]) = (MathF.Sin(t / 3f), t / 40f);
            text.Append(CultureInfo.InvariantCulture, $"{array[t, 0]:R},{array[t, 1]:R}\n");
        }
        var fromCsv = SeriesFile.ReadCsv(Write(text.ToString()));
        Assert.That(fromCsv, Is.EqualTo(array));
        var windows = new WindowOptions(8) { TargetFeatures = [0] };
        var options = new TrainerOptions { Loss = new MeanSquaredErrorLoss(), Epochs = 2, BatchSize = 8, Seed = 3 };

        History Train(float[,] series)
        {
            using var data = TimeSeriesWindows.CreateDataset(series, windows);
            using var model = new SequenceModel(new SequenceModelOptions { Seed = 5 }, Input.Sequence(2), new Gru(4), new Dense(1));
            return Trainer.Fit(model, data, null, options);
        }
        Assert.That(Train(fromCsv)["loss"], Is.EqualTo(Train(array)["loss"]));
    }

    // ---- errors: the file, the data row (from 0) and the column ----

    [Test]
    public void A_value_that_is_not_a_number_is_named_by_row_line_and_column()
    {
        var path = Write("a,b\n1,2\n3,4\n5,twelve\n");
        var e = Assert.Throws<DataFileException>(() => SeriesFile.ReadCsv(path))!;
        Assert.That((e.Path, e.Row, e.Column), Is.EqualTo((path, 2L, "b")));
        Assert.That(e.Message, Does.Contain("line 4").And.Contain("twelve"));
    }

    [TestCase("1e39")]
    [TestCase("-Infinity")]
    public void Infinite_values_are_refused(string value)
    {
        var path = Write($"a,b\n1,{value}\n");
        var e = Assert.Throws<DataFileException>(() => SeriesFile.ReadCsv(path))!;
        Assert.That((e.Row, e.Column), Is.EqualTo((0L, "b")));
    }

    [Test]
    public void A_missing_column_is_named_with_the_columns_there_are()
    {
        var e = Assert.Throws<DataFileException>(() => SeriesFile.ReadCsv(Sensors, new SeriesCsvOptions { Columns = ["temp", "humidity"] }))!;
        Assert.That((e.Path, e.Row, e.Column), Is.EqualTo((Sensors, (long?)null, "humidity")));
        Assert.That(e.Message, Does.Contain("'pressure'"));
    }

    [Test]
    public void A_short_row_names_the_first_column_it_lacks()
    {
        var path = Write("a,b,c\n1,2,3\n4,5\n");
        var e = Assert.Throws<DataFileException>(() => SeriesFile.ReadCsv(path))!;
        Assert.That((e.Row, e.Column), Is.EqualTo((1L, "c")));
        var chunks = Assert.Throws<DataFileException>(() => SeriesFile.ReadCsvChunks(path, rowsPerChunk: 1).ToList())!;
        Assert.That((chunks.Row, chunks.Column), Is.EqualTo((1L, "c")));
    }

    [Test]
    public void A_long_row_is_refused()
    {
        var path = Write("a,b\n1,2\n3,4,5\n");
        var e = Assert.Throws<DataFileException>(() => SeriesFile.ReadCsv(path))!;
        Assert.That(e.Row, Is.EqualTo(1));
    }

    [TestCase("")]
    [TestCase("a,b\n")]
    public void An_empty_file_or_a_header_alone_is_refused(string text)
    {
        var path = Write(text);
        var e = Assert.Throws<DataFileException>(() => SeriesFile.ReadCsv(path))!;
        Assert.That(e.Path, Is.EqualTo(path));
    }

    [Test]
    public void A_first_row_without_numbers_is_refused_when_no_column_is_named()
    {
        var path = Write("name,kind\nx,y\n");
        Assert.That(() => SeriesFile.ReadCsv(path), Throws.InstanceOf<DataFileException>().With.Property(nameof(DataFileException.Row)).EqualTo(0));
    }

    [Test]
    public void Bad_options_and_a_missing_file_are_refused_before_reading()
    {
        Assert.That(() => SeriesFile.ReadCsv(Sensors, new SeriesCsvOptions { Columns = [] }), Throws.ArgumentException);
        Assert.That(() => SeriesFile.ReadCsv(Sensors, new SeriesCsvOptions { Columns = ["temp", "temp"] }), Throws.ArgumentException);
        Assert.That(() => SeriesFile.ReadCsv(Sensors, new SeriesCsvOptions { Separator = '"' }), Throws.ArgumentException);
        Assert.That(() => SeriesFile.ReadCsv(Path.Combine(Folder, "absent.csv")), Throws.InstanceOf<FileNotFoundException>());
    }
}
