// StuckAccuracy: "Why is my sequential model's accuracy stuck at 0.2155?"
// A newcomer's setup (a SimpleRnn, unscaled sensor readings, plain SGD at Keras' default 0.01) sits at 0.2155, the
// share of the largest class. The training doctor says why, with numbers; applying its advice one step at a time
// (scale the inputs, a gated cell, a learning rate from the range test) gets the model to about 0.9. Each step prints
// the report and the controlled experiment behind its answer (what a copy reached with the change, and unchanged).
// Each run's curves are saved as PNG.
// Run: ./build.sh sample   (or: dotnet run -c Release --project src/Samples/StuckAccuracy [-- --output folder])
using SequenceKit.Diagnostics;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Plots;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Losses;
using SequenceKit.Training.Metrics;
using SequenceKit.Training.Optimizers;

var output = args.SkipWhile(a => a != "--output").Skip(1).FirstOrDefault() ?? Path.Combine(Path.GetTempPath(), "stuck-accuracy");
Directory.CreateDirectory(output);

// Sensor windows of 40 steps: temperature (K), pressure (Pa), humidity (%). Ten activity classes; class 3 is exactly
// 21.55% of each set (431 of 2,000). The class shows in the temperature of the first 8 steps only, so the model must
// carry information through time.
const int steps = 24, classes = 10;
var random = new Random(2155);
(float[,,] X, long[] Y) Make(int n)
{
    var x = new float[n, steps, 3];
    var majority = (int)Math.Round(n * 0.2155);
    var y = Enumerable.Range(0, n).Select(i => i < majority ? 3L : new long[] { 0, 1, 2, 4, 5, 6, 7, 8, 9 }[i % 9]).ToArray();
    random.Shuffle(y);
    for (var i = 0; i < n; i++)
    {
        var label = y[i];
        for (var t = 0; t < steps; t++)
        {
            x[i, t, 0] = (float)(290 + (t < 8 ? 1.5 * label : 0) + Noise());
            x[i, t, 1] = (float)(101_325 + 150 * Noise());
            x[i, t, 2] = (float)(50 + 15 * Noise());
        }
    }
    return (x, y);
}
double Noise() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

var (trainX, trainY) = Make(2000);
var (validX, validY) = Make(2000);
Console.WriteLine($"Largest class: {ClassDistribution.Of(validY, classes).MajorityShare:F4} of the validation set (class 3).\n");

var results = new List<(string Step, double Accuracy, string Top, string Experiment)>();
History Train(string step, float[,,] x, float[,,] vx, Func<SequenceModel> model, IOptimizerFactory optimizer)
{
    using var train = SequenceDataset.FromArrays(x, trainY);
    using var validation = SequenceDataset.FromArrays(vx, validY);
    using var built = model();
    var doctor = new DoctorCallback();
    var options = new TrainerOptions
    {
        Loss = new CrossEntropyLoss(), Optimizer = optimizer, Metrics = [new Accuracy()],
        Epochs = 20, BatchSize = 32, Seed = 1, Callbacks = [doctor],
    };
    var history = Trainer.Fit(built, train, validation, options);
    var report = doctor.LastReport!;
    var accuracy = history["val_accuracy"][^1];
    // The counterfactual behind the answer: the top finding's experiment, else the first finding that had one.
    var tried = report.Top?.Experiment is not null ? report.Top : report.Findings.FirstOrDefault(f => f.Experiment is not null);
    var experiment = tried is null ? "no experiment ran (" + (report.Notes.FirstOrDefault(n => n.StartsWith("no experiments", StringComparison.Ordinal)) ?? "see the notes") + ")" : $"{tried.Code}: {tried.Experiment}";
    results.Add((step, accuracy, report.Top is { } top ? $"{top.Code} {top.Title}" : "none", experiment));
    Console.WriteLine($"== {step}: validation accuracy {accuracy:F4}");
    Console.WriteLine(report);
    Console.WriteLine($"   counterfactual: {experiment}");
    Console.WriteLine();
    var file = Path.Combine(output, $"{results.Count}-{new string(step.Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant()}.png");
    HistoryPlot.SavePng(history, file, $"{results.Count}. {step}", plateauEpoch: doctor.FirstPlateauEpoch);
    return history;
}

SequenceModel Simple() => new(new SequenceModelOptions { Seed = 1 }, Input.Sequence(3), new SimpleRnn(32), new Dense(classes));
SequenceModel Gated() => new(new SequenceModelOptions { Seed = 1 }, Input.Sequence(3), new Lstm(32), new Dense(classes));

// 1. As a newcomer sets it up: accuracy sits at the largest class's share.
Train("SimpleRnn, unscaled inputs, SGD 0.01", trainX, validX, Simple, new Sgd { LearningRate = 0.01 });

// 2. Top finding SK003: fit a StandardScaler on the training inputs only.
var scaler = new StandardScaler();
var scaledTrain = scaler.FitTransform(trainX);
var scaledValid = scaler.Transform(validX);
Train("+ StandardScaler", scaledTrain, scaledValid, Simple, new Sgd { LearningRate = 0.01 });

// 3. Top finding SK004: an Lstm carries the first steps' information to the end of the sequence.
Train("+ Lstm in place of SimpleRnn", scaledTrain, scaledValid, Gated, new Sgd { LearningRate = 0.01 });

// 4. The underfitting finding says: tune the learning rate with LearningRateFinder. Its range test (on a copy) picks
//    the rate for Adam.
double suggested;
using (var model = Gated())
using (var data = SequenceDataset.FromArrays(scaledTrain, trainY))
{
    var range = LearningRateFinder.Run(model, data, new TrainerOptions { Loss = new CrossEntropyLoss(), Optimizer = new Adam(), Seed = 1 });
    suggested = range.SuggestedRate;
    Console.WriteLine($"Learning-rate range test for Adam: suggests {suggested:G2} ({range.Method}).\n");
}
Train($"+ Adam at {suggested:G2} (range test)", scaledTrain, scaledValid, Gated, new Adam { LearningRate = suggested });

Console.WriteLine("| Step | Validation accuracy | Doctor's top finding | The experiment behind it |");
Console.WriteLine("|---|---|---|---|");
foreach (var (step, accuracy, top, experiment) in results) Console.WriteLine($"| {step} | {accuracy:F4} | {top} | {experiment} |");
Console.WriteLine($"\nCurves: {output}");
