using SequenceKit.Preprocessing;

namespace SequenceKit.Tests.Preprocessing;

public class VocabularyTests
{
    private static readonly string[][] Corpus =
    [
        ["the", "cat", "sat"],
        ["the", "dog", "sat", "down"],
        ["a", "cat", "the"],
    ];

    [Test]
    public void Orders_by_frequency_then_first_appearance_after_the_reserved_indices()
    {
        var vocabulary = Vocabulary.Build(Corpus);
        // the ×3; cat ×2 (first at 1), sat ×2 (first at 2); dog, down, a ×1 in order of appearance.
        Assert.That(vocabulary.Tokens, Is.EqualTo(new[] { "<pad>", "<unk>", "the", "cat", "sat", "dog", "down", "a" }));
        Assert.That(vocabulary.Count, Is.EqualTo(8));
        Assert.That(vocabulary["cat"], Is.EqualTo(3));
        Assert.That(vocabulary["zebra"], Is.EqualTo(Vocabulary.UnknownIndex));
    }

    [Test]
    public void Max_size_and_min_frequency_limit_the_entries()
    {
        Assert.That(Vocabulary.Build(Corpus, new VocabularyOptions { MaxSize = 4 }).Tokens, Is.EqualTo(new[] { "<pad>", "<unk>", "the", "cat" }));
        Assert.That(Vocabulary.Build(Corpus, new VocabularyOptions { MinFrequency = 2 }).Tokens, Is.EqualTo(new[] { "<pad>", "<unk>", "the", "cat", "sat" }));
    }

    [Test]
    public void Encodes_decodes_and_reports_the_unknown_rate()
    {
        var vocabulary = Vocabulary.Build(Corpus, new VocabularyOptions { MinFrequency = 2 });
        var encoded = vocabulary.Encode(["the", "dog", "sat"]);
        Assert.That(encoded, Is.EqualTo(new long[] { 2, 1, 4 }));
        Assert.That(vocabulary.Decode([2, 1, 4, 0, 0]), Is.EqualTo(new[] { "the", "<unk>", "sat" }));
        Assert.That(vocabulary.Decode([2, 0], skipPadding: false), Is.EqualTo(new[] { "the", "<pad>" }));
        Assert.That(vocabulary.EncodeAll(Corpus)[1], Is.EqualTo(new long[] { 2, 1, 4, 1 }));
        // 10 tokens, of which dog, down, a are unknown.
        Assert.That(vocabulary.UnknownRate(Corpus), Is.EqualTo(0.3).Within(1e-12));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => vocabulary.Decode([9]))!.Message, Does.Contain("Index 9").And.Contain("0..4"));
    }

    [Test]
    public void Save_and_load_keep_every_index()
    {
        var vocabulary = Vocabulary.Build(Corpus);
        var path = Path.Combine(Path.GetTempPath(), $"sk-vocab-{Guid.NewGuid():N}.json");
        try
        {
            vocabulary.Save(path);
            var loaded = Vocabulary.Load(path);
            Assert.That(loaded.Tokens, Is.EqualTo(vocabulary.Tokens));
            Assert.That(loaded.Encode(Corpus[1]), Is.EqualTo(vocabulary.Encode(Corpus[1])));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Bad_input_is_rejected()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Corpus, new() { MaxSize = 1 }))!.Message, Does.Contain("got 1"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Corpus, new() { MinFrequency = 0 }))!.Message, Does.Contain("got 0"));
        Assert.That(Assert.Throws<ArgumentException>(() => Vocabulary.Build([["a", null!]]))!.Message, Does.Contain("null token"));
        Assert.That(Assert.Throws<ArgumentException>(() => Vocabulary.Build([["<pad>"]]))!.Message, Does.Contain("reserved token '<pad>'"));
        Assert.That(Assert.Throws<SequenceKitException>(() => Vocabulary.FromJson("{\"format\":\"SequenceKit.Vocabulary\",\"formatVersion\":1,\"tokens\":[\"a\",\"a\"]}"))!.Message,
            Does.Contain("repeated"));
        Assert.Throws<SequenceKitException>(() => Vocabulary.FromJson("[1, 2"));
    }
}
