using SequenceKit.Layers;
using SequenceKit.Models;
using static SequenceKit.Tests.TestData;

namespace SequenceKit.Tests.Layers;

/// <summary>The parameter shapes computed from a layer's configuration equal the ones TorchSharp's modules create.</summary>
public class LayerParametersTests
{
    private static IEnumerable<TestCaseData> Models()
    {
        yield return new TestCaseData((Func<ISequenceLayer[]>)(() => [new Embedding(50, 6, new EmbeddingOptions { MaskZero = true }), new Lstm(5), new Dense(3, Activation.Softmax)])).SetName("Embedding, Lstm, Dense");
        yield return new TestCaseData((Func<ISequenceLayer[]>)(() => [Input.Sequence(4), new Gru(7, new RecurrentOptions { Layers = 3, Bidirectional = true, Dropout = 0.1, ReturnSequences = true }), new Dropout(0.2), new Dense(2)])).SetName("Stacked bidirectional Gru, per-step Dense");
        yield return new TestCaseData((Func<ISequenceLayer[]>)(() => [Input.Sequence(3), new SimpleRnn(4, new SimpleRnnOptions { Activation = SimpleRnnActivation.Relu, Layers = 2, ReturnSequences = true }), new Lstm(6, new RecurrentOptions { Bidirectional = true }), new Dense(1)])).SetName("Stacked SimpleRnn, bidirectional Lstm");
        yield return new TestCaseData((Func<ISequenceLayer[]>)(() => [Input.Vector(9), new Dense(5, Activation.Relu), new Dropout(0.5), new Dense(2)])).SetName("Vector input, two Dense");
        yield return new TestCaseData((Func<ISequenceLayer[]>)(() => [new Embedding(20, 3), new Lstm(2, new RecurrentOptions { Layers = 2, Bidirectional = true, ReturnSequences = true }), new Gru(3)])).SetName("Embedding, stacked bidirectional Lstm, Gru");
    }

    [TestCaseSource(nameof(Models))]
    public void Computed_shapes_equal_the_built_modules(Func<ISequenceLayer[]> layers)
    {
        using var model = new SequenceModel(Seeded(), layers());
        var input = model.InputShape;
        for (var i = 0; i < model.Layers.Count; i++)
        {
            var layer = model.Layers[i];
            var expected = LayerParameters.Expected(layer, input);
            Assert.That(expected, Is.Not.Null, $"layer {i} ({layer.TypeName}) is built in");
            var actual = layer.Module?.state_dict().Select(p => (p.Key, p.Value.shape)).ToList() ?? [];
            Assert.That(expected!.Select(p => p.Name), Is.EquivalentTo(actual.Select(p => p.Key)), $"layer {i} ({layer.TypeName}) names");
            foreach (var (name, shape) in expected!)
                Assert.That(shape, Is.EqualTo(actual.Single(p => p.Key == name).shape), $"layer {i} ({layer.TypeName}) {name}");
            input = model.LayerSummaries[i].OutputShape;
        }
    }
}
