using SequenceKit.Layers;
using SequenceKit.Models;
using static SequenceKit.Tests.TestData;

namespace SequenceKit.Tests.Layers;

/// <summary>
/// Absurd sizes are refused before anything is allocated, with the argument, the value, the cap and the tensor size;
/// sizes just under the caps are accepted (constructors allocate nothing, so accepting is cheap to test).
/// </summary>
public class LayerLimitsTests
{
    private static ArgumentOutOfRangeException Refused(TestDelegate create, string argument, params string[] phrases)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(create)!;
        Assert.That(error.ParamName, Is.EqualTo(argument));
        foreach (var phrase in phrases) Assert.That(error.Message, Does.Contain(phrase));
        return error;
    }

    [Test]
    public void An_embedding_of_2_to_the_40_rows_names_the_size_it_would_need()
    {
        // 2^40 × 8 = 8,796,093,022,208 elements × 4 bytes = 32 TiB.
        Refused(() => new Embedding(1L << 40, 8), "vocabularySize", "1,099,511,627,776", "8,796,093,022,208 elements", "32 TiB", "2,147,483,648");
        Refused(() => new Embedding(8, 1L << 40), "dimension", "1,099,511,627,776");
        Assert.DoesNotThrow(() => _ = new Embedding(1L << 28, 8), "2^31 elements exactly is allowed");
    }

    [Test]
    public void Dense_units_over_the_cap_are_refused_in_the_constructor_and_a_wide_weight_when_built()
    {
        Refused(() => new Dense(1L << 40), "units", "Dense", "1,099,511,627,776", "2,147,483,648");
        // 2^20 units on 2^12 features: a 2^32-element weight, 16 GiB; refused when the model builds it.
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new SequenceModel(Seeded(1), Input.Vector(1 << 12), new Dense(1 << 20)))!;
        Assert.That(error.ParamName, Is.EqualTo("units"));
        Assert.That(error.Message, Does.Contain("1,048,576 × 4,096 = 4,294,967,296 elements").And.Contain("16 GiB"));
    }

    [Test]
    public void Recurrent_layers_refuse_huge_units_and_deep_stacks()
    {
        Refused(() => new Lstm(1L << 31), "units", "Lstm", "2,147,483,648");                 // 4·2^31 × 2^31 weight_hh
        Refused(() => new Lstm(1L << 15), "units", "weight_hh", "131,072 × 32,768");           // 2^32 elements
        Assert.DoesNotThrow(() => _ = new Lstm(1L << 14), "4·2^14 × 2^14 = 2^30 elements is allowed");
        Refused(() => new Gru(30_000), "units", "Gru", "90,000 × 30,000");
        Refused(() => new SimpleRnn(50_000), "units", "SimpleRnn", "50,000 × 50,000");
        Refused(() => new Lstm(4, new RecurrentOptions { Layers = 20000 }), "Layers", "RecurrentOptions.Layers = 20,000", "64");
        Assert.DoesNotThrow(() => _ = new Lstm(4, new RecurrentOptions { Layers = 64 }));
    }
}
