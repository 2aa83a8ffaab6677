// CustomLayer: write a layer by implementing ISequenceLayer, use it in a model, save and reload the model.
// Run: dotnet run --project src/Samples/CustomLayer
using CustomLayer;
using SequenceKit.Layers;
using SequenceKit.Models;
using static TorchSharp.torch;

// Register once so that SequenceModel.Load can rebuild models that contain the layer.
LayerRegistry.Register(MaskedMeanPooling.Name, _ => new MaskedMeanPooling());

using var model = new SequenceModel(new SequenceModelOptions { Seed = 3 },
    new Embedding(100, 8),
    new Gru(16, new RecurrentOptions { ReturnSequences = true, Bidirectional = true }),
    new MaskedMeanPooling(),
    new Dense(4, Activation.Softmax));
Console.WriteLine(model.Summary());

// Post-padded batch: the pooling averages only over each sequence's real steps.
using var tokens = tensor(new long[,] { { 5, 17, 42, 0, 0, 0 }, { 9, 8, 7, 6, 5, 4 } });
model.eval();
using var batch = model.forward(tokens);
using var alone = model.forward(tensor(new long[,] { { 5, 17, 42 } }));
Console.WriteLine($"padded vs unpadded first sequence, max difference: {(batch[0] - alone[0]).abs().max().item<float>():E2}");

var path = Path.Combine(Path.GetTempPath(), "sequencekit-custom-layer.skmodel");
model.Save(path);
using var loaded = SequenceModel.Load(path);
Console.WriteLine($"reloaded: {string.Join(" → ", loaded.Layers.Select(l => l.TypeName))}; same outputs: {loaded.forward(tokens).allclose(batch)}");
