// QuickStart: build a padded-text classifier, print its summary, train it briefly, save and reload it.
// Run: ./build.sh sample   (or: dotnet run --project src/Samples/QuickStart)
using Microsoft.Extensions.Logging;
using SequenceKit.Layers;
using SequenceKit.Models;
using TorchSharp;
using static TorchSharp.torch;

using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
const long vocabulary = 50, maxLength = 12;

// Embedding (token 0 = padding, masked) → LSTM → 2 logits. Only the Embedding states its input.
using var model = new SequenceModel(
    new SequenceModelOptions { Seed = 7, Logger = logging.CreateLogger("QuickStart") },
    new Embedding(vocabulary, 16),
    new Lstm(32),
    new Dense(2));
Console.WriteLine(model.Summary());

// Task: does the sequence contain token 1? Sequences have 3..12 tokens, post-padded with 0.
(Tensor Tokens, Tensor Labels) MakeBatch(int size, Generator generator)
{
    var tokens = randint(2, vocabulary, [size, maxLength], dtype: ScalarType.Int64, generator: generator);
    var lengths = randint(3, maxLength + 1, [size, 1], generator: generator, dtype: ScalarType.Int64);
    var positions = arange(maxLength, dtype: ScalarType.Int64).unsqueeze(0);   // (1, T)
    var hasOne = rand([size], generator: generator) < 0.5;                        // (B)
    var slot = (rand([size, 1], generator: generator) * lengths).to(ScalarType.Int64);  // (B, 1), inside the sequence
    tokens = tokens.masked_fill(positions.eq(slot).logical_and(hasOne.unsqueeze(1)), 1);
    tokens = tokens.masked_fill(positions >= lengths, 0);                         // post-padding
    return (tokens, hasOne.to(ScalarType.Int64));
}

using var generator = new Generator(1234);
var (testTokens, testLabels) = MakeBatch(512, generator);
using var optimizer = optim.Adam(model.parameters(), lr: 0.01);
for (var epoch = 1; epoch <= 5; epoch++)
{
    model.train();
    double lossSum = 0;
    for (var step = 0; step < 20; step++)
    {
        using var scope = NewDisposeScope();                 // every tensor of the step is freed here
        var (tokens, labels) = MakeBatch(64, generator);
        optimizer.zero_grad();
        var loss = nn.functional.cross_entropy(model.forward(tokens), labels);
        loss.backward();
        optimizer.step();
        lossSum += loss.item<float>();
    }
    model.eval();
    using (no_grad())
    using (var scope = NewDisposeScope())
    {
        var accuracy = model.forward(testTokens).argmax(1).eq(testLabels).to(ScalarType.Float32).mean().item<float>();
        Console.WriteLine($"epoch {epoch}: train loss {lossSum / 20:F4}, test accuracy {accuracy:F3}");
    }
}

var path = Path.Combine(Path.GetTempPath(), "sequencekit-quickstart.skmodel");
model.Save(path);
using var loaded = SequenceModel.Load(path);
using (no_grad())
{
    var same = model.forward(testTokens).allclose(loaded.forward(testTokens));
    Console.WriteLine($"Saved to {path} ({new FileInfo(path).Length:N0} bytes); reloaded model gives identical outputs: {same}");
}
