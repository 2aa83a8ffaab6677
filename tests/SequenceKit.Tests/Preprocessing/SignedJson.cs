using System.Text.Json.Nodes;
using SequenceKit.IO;

namespace SequenceKit.Tests.Preprocessing;

/// <summary>Crafts saved-state JSON for the file tests: edits with a valid hash, and one-byte corruptions.</summary>
internal static class SignedJson
{
    /// <summary>The document edited and signed again, as an attacker with the format's documentation could.</summary>
    public static string Edit(string json, Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        root.Remove(FileFormat.HashProperty);
        edit(root);
        return FileFormat.Sign(root).ToJsonString();
    }

    /// <summary>
    /// The text with the first occurrence of <paramref name="from"/> after <paramref name="after"/> (or its only occurrence)
    /// replaced by a string of the same length differing in one character.
    /// </summary>
    public static string OneCharacterChanged(string text, string from, string to, string? after = null)
    {
        Assert.That(from.Length, Is.EqualTo(to.Length));
        Assert.That(from.Zip(to).Count(p => p.First != p.Second), Is.EqualTo(1), "exactly one character differs");
        var start = after is null ? 0 : text.IndexOf(after, StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThanOrEqualTo(0), $"'{after}' is in the text");
        var at = text.IndexOf(from, start, StringComparison.Ordinal);
        Assert.That(at, Is.GreaterThanOrEqualTo(0), $"'{from}' is in the text");
        if (after is null) Assert.That(text.IndexOf(from, at + 1, StringComparison.Ordinal), Is.EqualTo(-1), $"'{from}' occurs once");
        return text[..at] + to + text[(at + from.Length)..];
    }

    /// <summary>A fixture written by an earlier SequenceKit (tests/SequenceKit.Tests/Preprocessing/Fixtures).</summary>
    public static string Fixture(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "Preprocessing", "Fixtures", name);
}
