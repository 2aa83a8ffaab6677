using System.Diagnostics;
using System.Text.Json.Nodes;
using SequenceKit.Preprocessing;

namespace SequenceKit.Tests.Preprocessing;

public class ScalerFileTests : TemporaryFolderTest
{
    [Test]
    public void Loading_a_file_of_the_other_scaler_type_names_both_types_and_the_file()
    {
        var path = Path.Combine(Folder, "scaler.json");
        var standard = new StandardScaler();
        standard.Fit(new float[,] { { 1 }, { 2 } });
        standard.Save(path);
        var error = Assert.Throws<PreprocessingFileException>(() => MinMaxScaler.Load(path))!;
        Assert.That(error.Message, Does.Contain("holds a StandardScaler, not a MinMaxScaler").And.Contain(path));
        Assert.That(error.Path, Is.EqualTo(path));
        Assert.That(StandardScaler.Load(path).Mean, Is.EqualTo(new[] { 1.5 }));
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

    [Test]
    public void A_saved_scaler_is_format_version_2_with_its_content_hash_and_reformatting_keeps_it_valid()
    {
        var path = Path.Combine(Folder, "scaler.json");
        var scaler = new StandardScaler();
        scaler.Fit(new double[,] { { 1 }, { 3 } });
        scaler.Save(path);
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Assert.That(root["formatVersion"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(root["sha256"]!.GetValue<string>(), Does.Match("^[0-9A-F]{64}$"));
        Assert.That(root.Select(p => p.Key).Last(), Is.EqualTo("sha256"));
        // Whitespace is not content: the compact form of the same document loads.
        var compact = (StandardScaler)Scaler.FromJson(root.ToJsonString());
        Assert.That(compact.Mean, Is.EqualTo(new[] { 2.0 }));
        Assert.That(StandardScaler.Load(path).Variance, Is.EqualTo(new[] { 1.0 }));      // ((1−2)² + (3−2)²) / 2
    }

    [Test]
    public void A_one_byte_change_in_a_saved_scaler_is_refused_naming_the_file()
    {
        var path = Path.Combine(Folder, "scaler.json");
        var scaler = new StandardScaler();
        scaler.Fit(new double[,] { { 0.00654 }, { 0.00654 } });
        scaler.Save(path);
        Assert.That(StandardScaler.Load(path).Mean, Is.EqualTo(new[] { 0.00654 }), "the file as saved loads");

        var text = File.ReadAllText(path);
        var corrupt = SignedJson.OneCharacterChanged(text, "0.00654", "0.02654", after: "\"mean\"");   // the fuzz run's flipped byte
        File.WriteAllText(path, corrupt);
        Assert.That(new FileInfo(path).Length, Is.EqualTo(System.Text.Encoding.UTF8.GetByteCount(text)));
        Assert.That(((StandardScaler)Scaler.FromJson(SignedJson.Edit(corrupt, _ => { }))).Mean, Is.EqualTo(new[] { 0.02654 }),
            "the changed byte is the mean (re-signed, it would load with the wrong mean)");
        var error = Assert.Throws<PreprocessingFileException>(() => Scaler.Load(path))!;
        Assert.That(error.Path, Is.EqualTo(path));
        Assert.That(error.Kind, Is.EqualTo("scaler"));
        Assert.That(error.Message, Does.Contain(path).And.Contain("SHA-256"));
        Assert.That(error.InnerException, Is.InstanceOf<InvalidDataException>());

        var fromText = Assert.Throws<PreprocessingFileException>(() => Scaler.FromJson(corrupt))!;
        Assert.That(fromText.Path, Is.Null);
        Assert.That(fromText.Message, Does.StartWith("The scaler JSON cannot be read").And.Contain("SHA-256"));
    }

    [Test]
    public void Version_2_without_its_hash_a_newer_version_and_a_wrong_typed_version_are_refused()
    {
        var scaler = new MinMaxScaler();
        scaler.Fit(new double[,] { { 0 }, { 4 } });
        var json = scaler.ToJson();
        var unsigned = JsonNode.Parse(json)!.AsObject();
        unsigned.Remove("sha256");
        Assert.That(Assert.Throws<PreprocessingFileException>(() => Scaler.FromJson(unsigned.ToJsonString()))!.Message, Does.Contain("no 'sha256'"));
        Assert.That(Assert.Throws<PreprocessingFileException>(() => Scaler.FromJson(SignedJson.Edit(json, r => r["formatVersion"] = 3)))!.Message,
            Does.Contain("newer SequenceKit"));
        Assert.That(Assert.Throws<PreprocessingFileException>(() => Scaler.FromJson(SignedJson.Edit(json, r => r["formatVersion"] = "2")))!.Message,
            Does.Contain("formatVersion is \"2\""));
        Assert.That(Assert.Throws<PreprocessingFileException>(() => Scaler.FromJson(SignedJson.Edit(json, r => r["formatVersion"] = true)))!.Message,
            Does.Contain("formatVersion is true"));
        Assert.That(((MinMaxScaler)Scaler.FromJson(json)).DataMax, Is.EqualTo(new[] { 4.0 }), "the untouched text loads");
    }

    private static readonly object[] CraftedStates =
    [
        new object[] { "count -5", (Action<JsonObject>)(s => s["count"]![0] = -5), "count[0] is -5; expected 0 to samplesSeen (2)" },
        new object[] { "min > max", (Action<JsonObject>)(s => s["min"]![0] = 100), "min 100, max 4" },
        new object[] { "NaN mean", (Action<JsonObject>)(s => s["mean"]![0] = "NaN"), "mean NaN" },
        new object[] { "featureCount 2e9", (Action<JsonObject>)(s => s["featureCount"] = 2_000_000_000), "'featureCount' is 2000000000; expected 1 to 1048576" },
        new object[] { "samplesSeen -1", (Action<JsonObject>)(s => s["samplesSeen"] = -1), "'samplesSeen' is -1" },
        new object[] { "m2 -1", (Action<JsonObject>)(s => s["m2"]![0] = -1), "m2 -1" },
    ];

    [TestCaseSource(nameof(CraftedStates))]
    public void Crafted_state_with_a_valid_hash_is_refused(string name, Action<JsonObject> edit, string expected)
    {
        var scaler = new MinMaxScaler();
        scaler.Fit(new double[,] { { 0 }, { 4 } });
        var crafted = SignedJson.Edit(scaler.ToJson(), root => edit(root["state"]!.AsObject()));
        var error = Assert.Throws<PreprocessingFileException>(() => Scaler.FromJson(crafted), name)!;
        Assert.That(error.Message, Does.Contain(expected));
        Assert.That(error.Message, Does.Not.Contain("SHA-256"), "the hash is valid; the content is what is refused");

        var path = Path.Combine(Folder, "crafted.json");
        File.WriteAllText(path, crafted);
        Assert.That(Assert.Throws<PreprocessingFileException>(() => Scaler.Load(path))!.Path, Is.EqualTo(path));
    }

    [Test]
    public void Old_format_fixtures_still_load_with_their_values()
    {
        // Written by SequenceKit before issue 13 (format version 1, no hash).
        // StandardScaler fitted on {1, 2, 3, 4} and {10, 20, 30, 60}: means 2.5 and 30, population variances 1.25 and 350.
        var standard = StandardScaler.Load(SignedJson.Fixture("scaler-v1-standard.json"));
        Assert.That(standard.Mean, Is.EqualTo(new[] { 2.5, 30 }));
        Assert.That(standard.Variance, Is.EqualTo(new[] { 1.25, 350 }).Within(1e-12));
        var scaled = standard.Transform(new double[,] { { 5, 65 } });
        Assert.That(scaled[0, 0], Is.EqualTo(2.5 / Math.Sqrt(1.25)).Within(1e-12));
        Assert.That(scaled[0, 1], Is.EqualTo(35 / Math.Sqrt(350)).Within(1e-12));

        // MinMaxScaler fitted on {−1, 3}: 1 is halfway.
        var minMax = MinMaxScaler.Load(SignedJson.Fixture("scaler-v1-minmax.json"));
        Assert.That(minMax.Transform(new double[] { -1, 1, 3 }), Is.EqualTo(new[] { 0, 0.5, 1 }).Within(1e-12));
    }

    [Test]
    public void Old_format_files_are_still_checked_for_content()
    {
        var root = JsonNode.Parse(File.ReadAllText(SignedJson.Fixture("scaler-v1-minmax.json")))!.AsObject();
        Assert.That(root["formatVersion"]!.GetValue<int>(), Is.EqualTo(1));
        root["state"]!["min"]![0] = 7;                                               // min 7 > max 3, no hash to break
        var crafted = root.ToJsonString();
        Assert.That(Assert.Throws<PreprocessingFileException>(() => Scaler.FromJson(crafted))!.Message, Does.Contain("min 7, max 3"));
    }

    [Test]
    public void Only_regular_files_of_bounded_size_are_read()
    {
        Assert.That(Assert.Throws<PreprocessingFileException>(() => Scaler.Load(Folder))!.Message, Does.Contain("is a directory"));
        if (!OperatingSystem.IsLinux()) return;
        var fifo = Path.Combine(Folder, "pipe.json");
        using (var mkfifo = Process.Start("mkfifo", fifo)) mkfifo.WaitForExit();
        var load = Task.Run(() => Assert.Throws<PreprocessingFileException>(() => Scaler.Load(fifo))!);
        Assert.That(load.Wait(TimeSpan.FromSeconds(20)), Is.True, "a pipe without a writer is refused, never waited on");
        Assert.That(load.Result.Path, Is.EqualTo(fifo));
    }

    [Test]
    public void A_feature_without_values_round_trips_through_the_signed_format()
    {
        var scaler = new StandardScaler();
        scaler.Fit(new double[,] { { double.NaN, 1 }, { double.NaN, 3 } });          // feature 0 has no values: min +∞, max −∞
        var loaded = (StandardScaler)Scaler.FromJson(scaler.ToJson());
        Assert.That(loaded.ValuesSeenPerFeature, Is.EqualTo(new long[] { 0, 2 }));
        Assert.That(loaded.Mean[1], Is.EqualTo(2.0));
        Assert.That(double.IsNaN(loaded.Mean[0]));
    }
}
