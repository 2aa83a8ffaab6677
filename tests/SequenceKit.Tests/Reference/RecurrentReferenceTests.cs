using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.PyTorch;
using SequenceKit.Training;
using static TorchSharp.torch;

namespace SequenceKit.Tests.Reference;

/// <summary>
/// LSTM, GRU and simple RNN layers (1–2 layers, bidirectional, hidden 5, 33 and 100) with weights written by PyTorch
/// 1.13 as .pth state_dicts (rnn_*.pth, loaded through <see cref="WeightFileExtensions.LoadWeights"/>) against PyTorch's
/// outputs (torch_reference.json, "recurrent"): whole sequences and last states, unpadded and padded (lengths 6, 4, 1,
/// packed), in a forward with gradients and through <see cref="Trainer.Predict"/> (no-grad, evaluation mode).
/// Tolerance: absolute 1e-5 (float32 through up to 6 steps and 2 layers).
/// </summary>
public class RecurrentReferenceTests
{
    private const float Tolerance = 1e-5f;

    public static IEnumerable<TestCaseData> Cases() => ReferenceData.Torch["recurrent"]!.AsArray().SelectMany(c => new[] { false, true }
        .SelectMany(padded => new[] { false, true }.Select(sequences =>
            new TestCaseData((string)c!["name"]!, padded, sequences)
                .SetName($"{(string)c["name"]!}_{(padded ? "padded" : "unpadded")}_{(sequences ? "sequences" : "last")}_equals_torch"))));

    private static SequenceModel Build(System.Text.Json.Nodes.JsonNode c, bool sequences)
    {
        var hidden = (long)c["hidden"]!;
        var options = new RecurrentOptions { Layers = (int)c["layers"]!, Bidirectional = (bool)c["bidirectional"]!, ReturnSequences = sequences };
        ISequenceLayer layer = (string)c["kind"]! switch
        {
            "Lstm" => new Lstm(hidden, options),
            "Gru" => new Gru(hidden, options),
            _ => new SimpleRnn(hidden, new SimpleRnnOptions { Layers = options.Layers, Bidirectional = options.Bidirectional, ReturnSequences = sequences }),
        };
        var model = new SequenceModel(TestData.Seeded(), Input.Sequence((long)c["input_size"]!), layer);
        model.LoadWeights(ReferenceData.PathOf((string)c["name"]! + ".pth"));
        return model;
    }

    private static float[] Flat(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().cpu().contiguous().data<float>().ToArray();
    }

    private static float[] Expected(System.Text.Json.Nodes.JsonNode? node) =>
        node!.AsArray().SelectMany(n => n is System.Text.Json.Nodes.JsonArray a && a.Count > 0 && a[0] is System.Text.Json.Nodes.JsonArray
            ? Expected(n) : ReferenceData.Doubles(n).Select(v => (float)v).ToArray()).ToArray();

    [TestCaseSource(nameof(Cases))]
    public void Recurrent_outputs_equal_torch(string name, bool padded, bool sequences)
    {
        var c = ReferenceData.Torch["recurrent"]!.AsArray().Single(n => (string)n!["name"]! == name)!;
        using var model = Build(c, sequences);
        using var x = tensor(ReferenceData.Cube(c["x"]));
        using var lengths = padded ? tensor(c["lengths"]!.AsArray().Select(v => (long)v!).ToArray()) : null;
        var expected = Expected(c[(padded ? "padded_" : "") + (sequences ? "sequences" : "last")]);

        model.train();
        using (var withGrad = model.forward(x, lengths))
            Assert.That(Flat(withGrad), Is.EqualTo(expected).Within(Tolerance), "forward with gradients");
        using var predicted = Trainer.Predict(model, x, lengths);
        Assert.That(Flat(predicted), Is.EqualTo(expected).Within(Tolerance), "Predict (no-grad, evaluation mode)");
    }
}
