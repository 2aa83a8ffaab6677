using System.Text.Json.Nodes;
using SequenceKit.Layers;
using SequenceKit.Models;
using TorchSharp;
using static TorchSharp.torch;
using static SequenceKit.Tests.TestData;

namespace SequenceKit.Tests.Layers;

public class CustomLayerTests
{
    /// <summary>A user-written layer: multiplies every feature by its own learnable gain.</summary>
    private sealed class FeatureGain : ISequenceLayer
    {
        private GainModule? module;
        public string TypeName => "Tests.FeatureGain";
        public LayerShape? RequiredInput => null;
        public nn.Module? Module => module;

        public LayerShape Build(LayerShape input, LayerBuildContext context)
        {
            if (input.Kind == ShapeKind.Tokens) throw context.Incompatible(input, "float features");
            module = new GainModule(input.Features);
            return input;
        }

        public SequenceBatch Forward(SequenceBatch input) => input with { Values = input.Values * module!.gain };

        public JsonObject GetConfig() => new();

        private sealed class GainModule : nn.Module
        {
            public readonly TorchSharp.Modules.Parameter gain;

            public GainModule(long features) : base("FeatureGain")
            {
                gain = nn.Parameter(ones(features) * 2);
                RegisterComponents();
            }
        }
    }

    [Test]
    public void A_custom_layer_composes_trains_and_round_trips_once_registered()
    {
        using var model = new SequenceModel(Seeded(), Input.Sequence(3), new FeatureGain(), new Lstm(4));
        Assert.That(model.LayerSummaries[1].Parameters, Is.EqualTo(3));
        Assert.That(model.state_dict().Keys, Does.Contain("1.gain"));
        using var x = Normal(1, 2, 5, 3);
        model.forward(x).sum().backward();
        Assert.That(model.parameters().First().grad, Is.Not.Null, "the custom parameter receives gradients");

        var path = Path.Combine(Path.GetTempPath(), $"sk-custom-{Guid.NewGuid():N}.skmodel");
        try
        {
            model.Save(path);
            LayerRegistry.Register("Tests.FeatureGain", _ => new FeatureGain());
            using var loaded = SequenceModel.Load(path);
            AssertClose(model.forward(x), loaded.forward(x), 0);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void A_custom_layer_first_in_a_model_is_asked_for_an_input_declaration()
    {
        var error = Assert.Throws<SequenceKitException>(() => new SequenceModel(new FeatureGain(), new Dense(1)))!;
        Assert.That(error.Message, Does.Contain("Layer 0 (Tests.FeatureGain)").And.Contain("Input.Sequence"));
    }

    [Test]
    public void Built_in_layers_used_outside_a_model_say_so()
    {
        using var values = zeros(1, 2, 3);
        foreach (ISequenceLayer layer in new ISequenceLayer[] { new Embedding(5, 2), new Lstm(2), new Gru(2), new SimpleRnn(2), new Dense(2), new Dropout(0.1) })
        {
            var error = Assert.Throws<InvalidOperationException>(() => layer.Forward(new SequenceBatch(values, null)))!;
            Assert.That(error.Message, Does.Contain($"This {layer.TypeName} layer has not been built"));
        }
    }

    [Test]
    public void Built_in_type_names_cannot_be_replaced()
    {
        var error = Assert.Throws<ArgumentException>(() => LayerRegistry.Register("Lstm", _ => new Lstm(1)))!;
        Assert.That(error.Message, Does.Contain("'Lstm' is a built-in"));
        Assert.That(LayerRegistry.TypeNames, Is.SupersetOf(new[] { "Dense", "Dropout", "Embedding", "Gru", "Input", "Lstm", "SimpleRnn" }));
    }
}
