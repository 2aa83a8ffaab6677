using System.Globalization;
using SequenceKit.Preprocessing;

namespace SequenceKit.Tests.Preprocessing;

public class TokenizerTests
{
    [Test]
    public void Words_are_runs_of_letters_digits_and_marks_lowercased()
    {
        var tokenizer = new Tokenizer();
        // "e\u0301" is e + combining acute accent: the mark stays inside the word.
        Assert.That(tokenizer.Tokenize("Don't STOP!  naïve cafe\u0301, 42x--ok"),
            Is.EqualTo(new[] { "don", "t", "stop", "naïve", "cafe\u0301", "42x", "ok" }));
        Assert.That(tokenizer.Tokenize(" ?! "), Is.Empty);
        Assert.That(tokenizer.Tokenize(""), Is.Empty);
    }

    [Test]
    public void Whitespace_splitting_keeps_punctuation_and_case_can_be_kept()
    {
        var tokenizer = new Tokenizer(new TokenizerOptions { Splitting = TokenSplitting.Whitespace, Lowercase = false });
        Assert.That(tokenizer.Tokenize("Don't\tSTOP!\n now"), Is.EqualTo(new[] { "Don't", "STOP!", "now" }));
    }

    [Test]
    public void Max_length_keeps_the_first_tokens()
    {
        var words = new Tokenizer(new TokenizerOptions { MaxLength = 2 });
        Assert.That(words.Tokenize("one, two, three, four"), Is.EqualTo(new[] { "one", "two" }));
        Assert.That(words.Tokenize("one"), Is.EqualTo(new[] { "one" }));
        var spaces = new Tokenizer(new TokenizerOptions { MaxLength = 2, Splitting = TokenSplitting.Whitespace });
        Assert.That(spaces.Tokenize("one two three"), Is.EqualTo(new[] { "one", "two" }));
    }

    [Test]
    public void Lowercasing_does_not_depend_on_the_current_culture()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("tr-TR");                 // Turkish lowercases I to dotless ı
            Assert.That(new Tokenizer().Tokenize("TITLE"), Is.EqualTo(new[] { "title" }));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Test]
    public void Bad_options_and_input_are_named()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Tokenizer(new TokenizerOptions { MaxLength = 0 }))!;
        Assert.That(error.Message, Does.Contain("TokenizerOptions.MaxLength").And.Contain("got 0"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new Tokenizer(new TokenizerOptions { Splitting = (TokenSplitting)7 }))!.Message,
            Does.Contain("Words or Whitespace").And.Contain("got 7"));
        Assert.Throws<ArgumentNullException>(() => new Tokenizer().Tokenize(null!));
        Assert.That(Assert.Throws<ArgumentException>(() => new Tokenizer().TokenizeAll(["a", null!]))!.Message, Does.Contain("texts[1] is null"));
    }
}
