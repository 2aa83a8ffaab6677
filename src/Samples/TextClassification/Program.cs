// TextClassification: the one-file text pipeline. Trains a small topic classifier on generated sentences, saves ONE
// file (architecture, weights, vocabulary with its tokenizer settings, class names), then starts a fresh process of
// this program that loads the file and classifies raw strings.
// Run: dotnet run -c Release --project src/Samples/TextClassification
//      dotnet run -c Release --project src/Samples/TextClassification -- --classify model.skmodel "text one" "text two"
using System.Diagnostics;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Losses;
using SequenceKit.Training.Metrics;
using SequenceKit.Training.Optimizers;

if (args is ["--classify", var modelFile, .. var newTexts])
    return Classify(modelFile, newTexts);

// 1. A labelled text set: 1,000 generated sentences about four topics, with shared filler words, in a third of them a
//    word from another topic, and rare made-up words (seen fewer than 3 times, so they map to <unk> and the model
//    learns that an unknown word says nothing about the topic).
var topics = new Dictionary<string, string[]>
{
    ["sports"] = ["match", "goal", "team", "coach", "league", "score", "season", "player", "referee", "stadium", "penalty", "win"],
    ["weather"] = ["rain", "storm", "sunny", "forecast", "wind", "snow", "cloudy", "temperature", "humid", "frost", "thunder", "breeze"],
    ["cooking"] = ["recipe", "oven", "garlic", "bake", "flour", "sauce", "simmer", "onion", "butter", "spice", "dough", "roast"],
    ["technology"] = ["software", "laptop", "update", "battery", "network", "server", "chip", "app", "cloud", "screen", "code", "robot"],
};
string[] filler = ["the", "a", "today", "this", "was", "very", "after", "before", "and", "with", "our", "new", "really", "again", "we", "it", "is", "on"];
var random = new Random(12);
string RareWord() => string.Concat(Enumerable.Range(0, random.Next(2, 4)).Select(_ => "bdfgklmnprstvz"[random.Next(14)] + "aeiou"[random.Next(5)].ToString()));
(string Text, string Label) Sentence()
{
    var label = topics.Keys.ElementAt(random.Next(topics.Count));
    var words = Enumerable.Range(0, random.Next(2, 5)).Select(_ => topics[label][random.Next(12)]).ToList();
    if (random.NextDouble() < 0.33)
        words.Add(topics.Values.ElementAt(random.Next(topics.Count))[random.Next(12)]);            // a distractor (or not)
    words.AddRange(Enumerable.Range(0, random.Next(2, 8)).Select(_ => filler[random.Next(filler.Length)]));
    words.AddRange(Enumerable.Range(0, random.Next(0, 4)).Select(_ => RareWord()));
    var shuffled = words.OrderBy(_ => random.Next()).ToArray();
    var text = string.Join(random.NextDouble() < 0.2 ? ", " : " ", shuffled);
    return (char.ToUpperInvariant(text[0]) + text[1..] + ".!?"[random.Next(3)], label);
}
var train = Enumerable.Range(0, 800).Select(_ => Sentence()).ToArray();
var test = Enumerable.Range(0, 200).Select(_ => Sentence()).ToArray();
Console.WriteLine($"{train.Length} training and {test.Length} test sentences, e.g. \"{train[0].Text}\" → {train[0].Label}");

// 2. Vocabulary (with its tokenizer settings) and labels, fitted on the training part only.
var vocabulary = Vocabulary.FromTexts(train.Select(s => s.Text), new TokenizerOptions { MaxLength = 20 }, new VocabularyOptions { MinFrequency = 3 });
var labels = new LabelEncoder<string>();
var trainLabels = labels.FitTransform(train.Select(s => s.Label));
var trainBatch = vocabulary.EncodeTexts(train.Select(s => s.Text));          // the call inference will make too
var testBatch = vocabulary.EncodeTexts(test.Select(s => s.Text));
Console.WriteLine($"Vocabulary: {vocabulary.Count} entries ({vocabulary.UnknownRate(vocabulary.Tokenizer!.TokenizeAll(test.Select(s => s.Text))):P0} of the test tokens unknown); classes: {string.Join(", ", labels.Classes)}");

// 3. Embedding → LSTM → softmax over the classes, trained for a few seconds.
using var model = new SequenceModel(new SequenceModelOptions { Seed = 1 },
    new Embedding(vocabulary.Count, 16), new Lstm(24), new Dense(labels.ClassCount, Activation.Softmax));
using (var trainData = SequenceDataset.FromArrays(trainBatch.Values, trainLabels, trainBatch.Lengths))
using (var testData = SequenceDataset.FromArrays(testBatch.Values, labels.Transform(test.Select(s => s.Label)), testBatch.Lengths))
{
    var clock = Stopwatch.StartNew();
    var history = Trainer.Fit(model, trainData, testData, new TrainerOptions
    {
        Loss = new CrossEntropyLoss(), Optimizer = new Adam { LearningRate = 0.01 }, Metrics = [new Accuracy()], Epochs = 6, BatchSize = 32, Seed = 1,
    });
    Console.WriteLine($"Trained {history.Epochs.Count} epochs in {clock.Elapsed.TotalSeconds:F1} s; test accuracy {history["val_accuracy"][^1]:P1}");
}

// 4. One file: the vocabulary and the class names travel with the weights.
model.Vocabulary = vocabulary;
model.ClassNames = labels.Classes;
var path = Path.Combine(Path.GetTempPath(), "sequencekit-text-classification.skmodel");
model.Save(path);
var rawAccuracy = model.PredictLabels(test.Select(s => s.Text)).Zip(test).Average(p => p.First == p.Second.Label ? 1.0 : 0.0);
Console.WriteLine($"Saved {path} ({new FileInfo(path).Length:N0} bytes); accuracy of PredictLabels on the raw test strings: {rawAccuracy:P1}");

// 5. A fresh process loads the file and classifies raw strings it has never seen.
string[] sentences =
[
    "The striker scored a late goal and the team won the league!",
    "Heavy rain and strong wind are in the forecast for tonight.",
    "Melt the butter, add garlic and onion, then simmer the sauce.",
    "Our new laptop needs a software update before the battery dies.",
    "What a lovely sunny day for the match",
];
var expected = model.PredictLabels(sentences);
var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")                     // started as "dotnet TextClassification.dll"
    start.ArgumentList.Add(typeof(Program).Assembly.Location);
foreach (var argument in (string[])["--classify", path, .. sentences]) start.ArgumentList.Add(argument);
using var child = Process.Start(start)!;
var lines = child.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
child.WaitForExit();
Console.WriteLine($"Fresh process (exit code {child.ExitCode}):");
foreach (var line in lines) Console.WriteLine("  " + line);
var childLabels = lines.Skip(1).Select(line => line.Split('\t')[0]).ToArray();
Console.WriteLine($"Same labels as the training process: {(childLabels.SequenceEqual(expected) ? "yes" : "NO")}");
return child.ExitCode == 0 && childLabels.SequenceEqual(expected) ? 0 : 1;

// The fresh process: one file in, label names out.
static int Classify(string modelFile, string[] texts)
{
    using var model = SequenceModel.Load(modelFile);
    var names = model.PredictLabels(texts);
    var probabilities = model.PredictProbabilities(texts);
    Console.WriteLine($"process {Environment.ProcessId} loaded {Path.GetFileName(modelFile)}: {model.Vocabulary!.Count} tokens, classes {string.Join(", ", model.ClassNames!)}");
    for (var i = 0; i < texts.Length; i++)
    {
        var confidence = Enumerable.Range(0, probabilities.GetLength(1)).Max(c => probabilities[i, c]);
        Console.WriteLine($"{names[i]}\t{confidence:P0}\t{texts[i]}");
    }
    return 0;
}
