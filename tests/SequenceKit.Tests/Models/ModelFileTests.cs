using System.IO.Compression;
using System.Text.Json.Nodes;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Tests.IO;
using static TorchSharp.torch;
using static SequenceKit.Tests.TestData;

namespace SequenceKit.Tests.Models;

public class ModelFileTests : TemporaryFolderTest
{
    private static SequenceModel TextModel(long seed = 1) => new(Seeded(seed), new Embedding(40, 8),
        new Lstm(6, new RecurrentOptions { Layers = 2, Bidirectional = true, Dropout = 0.3, ReturnSequences = true }),
        new Dropout(0.2), new SimpleRnn(5, new SimpleRnnOptions { Activation = SimpleRnnActivation.Relu }), new Dense(3, Activation.Softmax));

    [Test]
    public void Round_trip_rebuilds_the_architecture_and_reproduces_outputs()
    {
        var path = Path.Combine(Folder, "text.skmodel");
        using var tokens = tensor(new long[,] { { 4, 8, 15, 16, 0 }, { 23, 39, 1, 2, 3 } });
        using var original = TextModel();
        original.eval();
        using var expected = original.forward(tokens);
        original.Save(path);

        using var loaded = SequenceModel.Load(path);
        Assert.That(loaded.Layers.Select(l => l.TypeName), Is.EqualTo(original.Layers.Select(l => l.TypeName)));
        Assert.That(loaded.Summary(), Is.EqualTo(original.Summary()));
        Assert.That(((SimpleRnn)loaded.Layers[3]).Options.Activation, Is.EqualTo(SimpleRnnActivation.Relu));
        Assert.That(((Lstm)loaded.Layers[1]).Options, Is.EqualTo(((Lstm)original.Layers[1]).Options));
        AssertClose(expected, loaded.forward(tokens), 0);
    }

    [Test]
    public void Round_trip_of_a_float_input_model()
    {
        var path = Path.Combine(Folder, "nested", "series.skmodel");      // Folder is created
        using var original = new SequenceModel(Seeded(2), Input.Sequence(3), new Gru(4), new Dense(1));
        using var x = Normal(3, 2, 6, 3);
        original.Save(path);
        using var loaded = SequenceModel.Load(path);
        Assert.That(loaded.InputShape, Is.EqualTo(LayerShape.Sequence(3)));
        AssertClose(original.forward(x), loaded.forward(x), 0);
    }

    [Test]
    public void Scalers_travel_with_the_model()
    {
        var path = Path.Combine(Folder, "series.skmodel");
        var train = new float[,,] { { { 10, 1000 }, { 12, 1100 } }, { { 14, 900 }, { 16, 1300 } } };
        var inputs = new StandardScaler();
        inputs.Fit(train);
        var targets = new MinMaxScaler(new MinMaxScalerOptions { FeatureRangeMin = -1 });
        targets.Fit(new float[,] { { 5 }, { 25 } });
        using (var model = new SequenceModel(Seeded(4), Input.Sequence(2), new Lstm(3), new Dense(1)))
        {
            model.Scalers["inputs"] = inputs;
            model.Scalers["targets"] = targets;
            model.Save(path);
        }
        using var loaded = SequenceModel.Load(path);
        Assert.That(loaded.Scalers.Keys, Is.EqualTo(new[] { "inputs", "targets" }));
        Assert.That(loaded.Scalers["inputs"], Is.InstanceOf<StandardScaler>());
        Assert.That(loaded.Scalers["inputs"].Transform(train), Is.EqualTo(inputs.Transform(train)));
        Assert.That(((MinMaxScaler)loaded.Scalers["targets"]).Options.FeatureRangeMin, Is.EqualTo(-1));
    }

    [Test]
    public void An_unfitted_scaler_or_bad_name_writes_nothing()
    {
        var path = Path.Combine(Folder, "model.skmodel");
        using var model = new SequenceModel(Seeded(), Input.Sequence(2), new Gru(2));
        model.Save(path);
        var before = File.ReadAllBytes(path);
        model.Scalers["inputs"] = new MinMaxScaler();
        Assert.That(Assert.Throws<InvalidOperationException>(() => model.Save(path))!.Message, Does.Contain("not fitted yet"));
        model.Scalers.Clear();
        var fitted = new MinMaxScaler();
        fitted.Fit(new float[,] { { 1, 2 } });
        model.Scalers["../escape"] = fitted;
        Assert.That(Assert.Throws<ArgumentException>(() => model.Save(path))!.Message, Does.Contain("'../escape'"));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
        Assert.That(Directory.GetFiles(Folder), Has.Length.EqualTo(1));
    }

    [Test]
    public void A_corrupt_scaler_entry_is_named()
    {
        var path = Path.Combine(Folder, "model.skmodel");
        using (var model = new SequenceModel(Seeded(), Input.Sequence(1), new Gru(2)))
        {
            var scaler = new StandardScaler();
            scaler.Fit(new float[,] { { 1 }, { 2 } });
            model.Scalers["inputs"] = scaler;
            model.Save(path);
        }
        Rewrite(path, (_, entries) => entries["scalers/inputs.json"] = "{ \"format\": 42 }"u8.ToArray());
        Assert.That(Assert.Throws<ModelFileException>(() => SequenceModel.Load(path))!.Message, Does.Contain("scaler 'inputs' cannot be read"));
    }

    [Test]
    public void A_failed_save_leaves_the_previous_file_intact_and_no_temporary_file()
    {
        var path = Path.Combine(Folder, "model.skmodel");
        using var first = TextModel(seed: 1);
        first.Save(path);
        var before = File.ReadAllBytes(path);

        using var second = TextModel(seed: 2);
        Assert.Throws<IOException>(() => ModelFile.Write(second, path, stream => new FaultyStream(stream, budget: 2000)));

        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before), "previous file untouched");
        Assert.That(Directory.GetFiles(Folder), Is.EqualTo(new[] { path }), "temporary file removed");
        using var loaded = SequenceModel.Load(path);
        using var tokens = tensor(new long[,] { { 1, 2, 3 } });
        first.eval();
        AssertClose(first.forward(tokens), loaded.forward(tokens), 0);
    }

    [Test]
    public void A_truncated_file_is_reported_as_such()
    {
        var path = Save(TextModel());
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<ModelFileException>(() => SequenceModel.Load(path))!;
        Assert.That(error.Message, Does.Contain("truncated, corrupt or not a SequenceKit model"));
        Assert.That(error.Path, Is.EqualTo(path));
    }

    [Test]
    public void Corrupted_weights_are_caught_by_the_checksum()
    {
        var path = Save(TextModel());
        Rewrite(path, (manifest, entries) =>
        {
            var weights = entries["weights.dat"];
            weights[^10] ^= 0xFF;                                             // one flipped byte inside a tensor
        });
        var error = Assert.Throws<ModelFileException>(() => SequenceModel.Load(path))!;
        Assert.That(error.Message, Does.Contain("SHA-256").And.Contain("corrupt"));
    }

    [Test]
    public void Weights_that_do_not_match_the_architecture_are_rejected()
    {
        var path = Save(TextModel());
        Rewrite(path, (manifest, _) => manifest["layers"]![1]!["config"]!["units"] = 7);
        var error = Assert.Throws<ModelFileException>(() => SequenceModel.Load(path))!;
        Assert.That(error.Message, Does.Contain("1.weight_ih_l0").And.Contain("[24, 8]").And.Contain("[28, 8]").And.Contain("do not match"));
    }

    [Test]
    public void Foreign_files_are_rejected()
    {
        var text = Path.Combine(Folder, "notes.skmodel");
        File.WriteAllText(text, "definitely not a model");
        Assert.That(Assert.Throws<ModelFileException>(() => SequenceModel.Load(text))!.Message, Does.Contain("not a SequenceKit model"));

        var zip = Path.Combine(Folder, "other.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
            archive.CreateEntry("readme.txt");
        Assert.That(Assert.Throws<ModelFileException>(() => SequenceModel.Load(zip))!.Message, Does.Contain("no manifest.json"));

        Assert.Throws<FileNotFoundException>(() => SequenceModel.Load(Path.Combine(Folder, "missing.skmodel")));
    }

    [Test]
    public void A_newer_format_version_asks_for_an_upgrade()
    {
        var path = Save(TextModel());
        Rewrite(path, (manifest, _) => manifest["formatVersion"] = 99);
        Assert.That(Assert.Throws<ModelFileException>(() => SequenceModel.Load(path))!.Message, Does.Contain("format version 99").And.Contain("Upgrade"));
    }

    [Test]
    public void Unknown_layer_types_and_enum_values_are_named()
    {
        var path = Save(TextModel());
        Rewrite(path, (manifest, _) => manifest["layers"]![4]!["config"]!["activation"] = "Swish");
        Assert.That(Assert.Throws<ModelFileException>(() => SequenceModel.Load(path))!.Message, Does.Contain("layers[4]").And.Contain("Dense"));

        path = Save(TextModel());
        Rewrite(path, (manifest, _) => manifest["layers"]![2]!["type"] = "Attention");
        Assert.That(Assert.Throws<ModelFileException>(() => SequenceModel.Load(path))!.Message,
            Does.Contain("Unknown layer type 'Attention'").And.Contain("Lstm").And.Contain("LayerRegistry.Register"));
    }

    private string SaveTextModel(Vocabulary? vocabulary = null)
    {
        var model = new SequenceModel(Seeded(5), new Embedding(12, 4), new Gru(3), new Dense(2, Activation.Softmax));
        model.Vocabulary = vocabulary ?? Vocabulary.FromTexts(["good film", "bad film", "good plot"], new TokenizerOptions { MaxLength = 5 });
        model.ClassNames = ["negative", "positive"];
        return Save(model);
    }

    [Test]
    public void The_manifest_names_the_vocabulary_and_lists_the_class_names_only_when_there_are_some()
    {
        var text = SaveTextModel();
        using (var archive = ZipFile.OpenRead(text))
        {
            var manifest = JsonNode.Parse(archive.GetEntry("manifest.json")!.Open())!.AsObject();
            Assert.That((string?)manifest["vocabulary"], Is.EqualTo("vocabulary.json"));
            Assert.That(manifest["classNames"]!.AsArray().Select(n => (string?)n), Is.EqualTo(new[] { "negative", "positive" }));
            Assert.That(archive.GetEntry("vocabulary.json"), Is.Not.Null);
            Assert.That(manifest["formatVersion"]!.GetValue<int>(), Is.EqualTo(1), "the sections are optional; the format version is unchanged");
        }

        // A model without them writes the manifest keys it wrote before text support, so old readers see no difference.
        var plain = Save(TextModel());
        using (var archive = ZipFile.OpenRead(plain))
        {
            var manifest = JsonNode.Parse(archive.GetEntry("manifest.json")!.Open())!.AsObject();
            Assert.That(manifest.Select(p => p.Key), Is.EqualTo(new[] { "format", "formatVersion", "sequenceKitVersion", "layers", "weights", "scalers" }));
            Assert.That(archive.Entries.Select(e => e.FullName), Is.EqualTo(new[] { "manifest.json", "weights.dat" }));
        }
        using var loaded = SequenceModel.Load(plain);
        Assert.That(loaded.Vocabulary, Is.Null);
        Assert.That(loaded.ClassNames, Is.Null);
    }

    [Test]
    public void A_file_whose_vocabulary_has_no_tokenizer_settings_loads_and_says_so_when_asked_for_text()
    {
        var path = SaveTextModel();
        Rewrite(path, (_, entries) => entries["vocabulary.json"] = System.Text.Encoding.UTF8.GetBytes(Vocabulary.Build([["good", "bad"]]).ToJson()));
        using var loaded = SequenceModel.Load(path);
        Assert.That(loaded.Vocabulary!.Tokens, Is.EqualTo(new[] { "<pad>", "<unk>", "good", "bad" }));
        Assert.That(loaded.Vocabulary.Tokenizer, Is.Null);
        Assert.That(Assert.Throws<InvalidOperationException>(() => loaded.PredictLabels(["good"]))!.Message, Does.Contain("WithTokenizer"));
    }

    private static readonly object[] BrokenTextSections =
    [
        new object[] { "vocabulary.json", "{ \"format\": \"SequenceKit.Vocabulary\", \"formatVersion\": 1, \"tokens\": [\"a\", \"a\"] }", "its vocabulary cannot be read", "repeated" },
        new object[] { "vocabulary.json", "not json", "its vocabulary cannot be read", "vocabulary JSON" },
        new object[] { "vocabulary.json", "{ \"format\": \"SequenceKit.Vocabulary\", \"formatVersion\": 2, \"tokenizer\": { \"lowercase\": true, \"splitting\": \"Words\", \"maxLength\": -1 }, \"tokens\": [] }",
            "its vocabulary cannot be read", "'tokenizer.maxLength' must be null or an integer of at least 1; got -1" },
        new object[] { "vocabulary.json", "{ \"format\": \"SequenceKit.Vocabulary\", \"formatVersion\": 1, \"tokens\": [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\", \"i\", \"j\", \"k\"] }",
            "vocabulary or class names do not fit its architecture", "has 13 entries" },
        new object[] { "manifest:vocabulary", "5", "'vocabulary' must name an entry", "got 5" },
        new object[] { "manifest:vocabulary", "\"missing.json\"", "the vocabulary entry 'missing.json'", "missing" },
        new object[] { "manifest:classNames", "[\"negative\", \"positive\", \"neutral\"]", "vocabulary or class names do not fit its architecture", "ClassNames has 3 name(s)" },
        new object[] { "manifest:classNames", "[\"negative\", 1]", "classNames[1] must be a string", "got 1" },
        new object[] { "manifest:classNames", "\"negative\"", "'classNames' must be an array of strings", "\"negative\"" },
    ];

    [TestCaseSource(nameof(BrokenTextSections))]
    public void A_corrupt_or_inconsistent_text_section_is_a_model_file_exception(string where, string content, string problem, string detail)
    {
        var path = SaveTextModel();
        Rewrite(path, (manifest, entries) =>
        {
            if (where.StartsWith("manifest:", StringComparison.Ordinal)) manifest[where["manifest:".Length..]] = JsonNode.Parse(content);
            else entries[where] = System.Text.Encoding.UTF8.GetBytes(content);
        });
        var bytes = File.ReadAllBytes(path);
        var error = Assert.Throws<ModelFileException>(() => SequenceModel.Load(path))!;
        Assert.That(error.Message, Does.StartWith($"Cannot load model file '{path}'").And.Contain(problem).And.Contain(detail));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(bytes), "loading changes nothing");
    }

    private string Save(SequenceModel model)
    {
        var path = Path.Combine(Folder, Guid.NewGuid().ToString("N") + ".skmodel");
        using (model) model.Save(path);
        return path;
    }

    /// <summary>Rewrites a saved model's entries: edit the manifest and/or raw entry bytes.</summary>
    private static void Rewrite(string path, Action<JsonObject, Dictionary<string, byte[]>> edit)
    {
        var entries = new Dictionary<string, byte[]>();
        using (var archive = ZipFile.OpenRead(path))
            foreach (var entry in archive.Entries)
            {
                using var stream = entry.Open();
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                entries[entry.FullName] = copy.ToArray();
            }
        var manifest = JsonNode.Parse(entries["manifest.json"])!.AsObject();
        edit(manifest, entries);
        entries["manifest.json"] = System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString());
        File.Delete(path);
        using var output = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, bytes) in entries)
        {
            using var stream = output.CreateEntry(name).Open();
            stream.Write(bytes);
        }
    }
}
