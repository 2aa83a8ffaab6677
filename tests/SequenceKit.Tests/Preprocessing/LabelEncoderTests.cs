using SequenceKit.Preprocessing;

namespace SequenceKit.Tests.Preprocessing;

public class LabelEncoderTests : TemporaryFolderTest
{
    [Test]
    public void Save_and_load_keep_classes_policy_and_indices()
    {
        var encoder = new LabelEncoder<string>(UnknownLabelPolicy.MapToUnknown);
        encoder.Fit(["sports", "business", "weather", "sports"]);
        var path = Path.Combine(Folder, "nested", "labels.json");                // the folder is created
        encoder.Save(path);

        var loaded = LabelEncoder<string>.Load(path);
        Assert.That(loaded.Classes, Is.EqualTo(new[] { "business", "sports", "weather" }));
        Assert.That(loaded.UnknownLabels, Is.EqualTo(UnknownLabelPolicy.MapToUnknown));
        Assert.That(loaded.Transform(["weather", "zebra", "business"]), Is.EqualTo(new long[] { 2, 3, 0 }));
        Assert.That(loaded.InverseTransform([1, 0]), Is.EqualTo(new[] { "sports", "business" }));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(path)!), Is.EqualTo(new[] { path }), "no temporary file left");
    }

    [Test]
    public void Integer_labels_round_trip()
    {
        var encoder = new LabelEncoder<int>();
        encoder.Fit([10, -3, 7]);
        var loaded = LabelEncoder<int>.FromJson(encoder.ToJson());
        Assert.That(loaded.Classes, Is.EqualTo(new[] { -3, 7, 10 }));
        Assert.That(loaded.UnknownLabels, Is.EqualTo(UnknownLabelPolicy.Throw));
        Assert.That(encoder.ToJson(), Does.Contain("\"labelType\": \"System.Int32\""));
    }

    [Test]
    public void The_stored_order_is_kept_so_indices_do_not_depend_on_the_machine()
    {
        // Written by hand in an order Fit would not produce: loading must not re-sort.
        var loaded = LabelEncoder<string>.FromJson(Json("\"Throw\"", "[\"zulu\", \"alpha\"]"));
        Assert.That(loaded.Classes, Is.EqualTo(new[] { "zulu", "alpha" }));
        Assert.That(loaded.Transform(["alpha"]), Is.EqualTo(new long[] { 1 }));
    }

    [Test]
    public void An_unfitted_encoder_writes_nothing()
    {
        var path = Path.Combine(Folder, "labels.json");
        Assert.That(Assert.Throws<InvalidOperationException>(() => new LabelEncoder<string>().Save(path))!.Message, Does.Contain("not fitted yet"));
        Assert.That(Directory.GetFiles(Folder), Is.Empty);
    }

    [TestCase("\"Throw\"", "[]", "'classes' is empty")]
    [TestCase("\"Throw\"", "[\"a\", null]", "classes[1] is null")]
    [TestCase("\"Throw\"", "[\"a\", \"b\", \"a\"]", "classes[2] = 'a' is repeated")]
    [TestCase("\"Throw\"", "{ \"a\": 1 }", "'classes' is missing or not an array")]
    [TestCase("\"Ignore\"", "[\"a\"]", "'unknownLabels' must be one of Throw, MapToUnknown; got \"Ignore\"")]
    [TestCase("1", "[\"a\"]", "'unknownLabels' must be one of")]
    public void Bad_content_is_named(string policy, string classes, string expected)
    {
        var error = Assert.Throws<SequenceKitException>(() => LabelEncoder<string>.FromJson(Json(policy, classes)))!;
        Assert.That(error.Message, Does.StartWith("The label encoder JSON cannot be read").And.Contain(expected));
    }

    [Test]
    public void Labels_of_another_type_are_named_with_the_stored_type()
    {
        var words = new LabelEncoder<string>();
        words.Fit(["cat", "dog"]);
        var error = Assert.Throws<SequenceKitException>(() => LabelEncoder<int>.FromJson(words.ToJson()))!;
        Assert.That(error.Message, Does.Contain("classes[0] = \"cat\" is not of type Int32").And.Contain("System.String labels"));
        Assert.That(Assert.Throws<SequenceKitException>(() => LabelEncoder<int>.FromJson(Json("\"Throw\"", "[1, null]")))!.Message, Does.Contain("classes[1] is null"));
    }

    [Test]
    public void Foreign_newer_truncated_and_missing_files_are_refused()
    {
        Assert.That(Assert.Throws<SequenceKitException>(() => LabelEncoder<string>.FromJson("{ \"format\": \"SequenceKit.Vocabulary\" }"))!.Message,
            Does.Contain("'format' is not 'SequenceKit.LabelEncoder'"));
        Assert.That(Assert.Throws<SequenceKitException>(() => LabelEncoder<string>.FromJson(Json("\"Throw\"", "[\"a\"]").Replace("\"formatVersion\": 1", "\"formatVersion\": 2")))!.Message,
            Does.Contain("format version 2 is not supported"));
        Assert.Throws<SequenceKitException>(() => LabelEncoder<string>.FromJson("{ \"format\": \"SequenceKit.LabelEncoder\", \"classes\": [\"a\""));
        Assert.That(Assert.Throws<SequenceKitException>(() => LabelEncoder<string>.FromJson("[1]"))!.Message, Does.Contain("not a JSON object"));
        var missing = Path.Combine(Folder, "missing.json");
        Assert.That(Assert.Throws<FileNotFoundException>(() => LabelEncoder<string>.Load(missing))!.FileName, Is.EqualTo(missing));
        Assert.Throws<ArgumentException>(() => LabelEncoder<string>.Load(" "));
    }

    private static string Json(string policy, string classes) =>
        $"{{ \"format\": \"SequenceKit.LabelEncoder\", \"formatVersion\": 1, \"labelType\": \"System.String\", \"unknownLabels\": {policy}, \"classes\": {classes} }}";
}
