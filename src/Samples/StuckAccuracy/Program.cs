// StuckAccuracy: "Why is my sequential model's accuracy stuck at 0.2155?"
// A newcomer's setup (a SimpleRnn, unscaled sensor readings, plain SGD at Keras' default 0.01) sits at 0.2155, the
// share of the largest class. At each step the training doctor says why, and the program applies exactly the fix of
// its top finding: the finding's code picks the change, nothing is chosen by hand. A stuck step whose top finding is
// not confirmed by a controlled experiment stops the walk, and the program says so. A healthy run stops the walk
// unless the doctor's advice is to train longer (SK022, still learning at the end). Curves are saved as PNG.
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

// Sensor windows of 24 steps: temperature (K), pressure (Pa), humidity (%). Ten activity classes; class 3 is exactly
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

// The setup as a newcomer writes it; each step changes one part of it.
var setup = new Setup(trainX, validX, Cell.SimpleRnn, new Sgd { LearningRate = 0.01 }, 20, "SimpleRnn, unscaled inputs, SGD 0.01");
var results = new List<(string Step, double Accuracy, string Top, string Confirmed)>();
for (var step = 1; step <= 6; step++)
{
    var (accuracy, report) = Train(setup, step);
    var top = report.Top;
    var stuck = report.HasWarnings;
    results.Add((setup.Name, accuracy, top is null ? "none" : $"{top.Code} {top.Title}",
        top is null ? "" : top.ConfirmedByExperiment ? "yes" : stuck ? "NO" : "not stuck: advice from the history"));
    if (!stuck && top?.Code != "SK022") { Console.WriteLine($"No warning at step {step}: the doctor finds the run healthy.\n"); break; }
    if (stuck && !top!.ConfirmedByExperiment)
    {
        Console.WriteLine($"Step {step} was not decided: the top finding ({top.Code}) is not confirmed by an experiment, so the walk stops here.\n");
        break;
    }
    // The finding's code picks the change (its fix text says the same in words).
    Setup? next = top!.Code switch
    {
        "SK022" when top.Evidence.TryGetValue(Finding.SuggestedEpochs, out var epochs) => setup with { Epochs = (int)epochs, Name = setup.Name + $" → {epochs} epochs" },
        "SK003" => Scaled(setup),
        "SK004" => setup with { Cell = Cell.Gru, Name = setup.Name + " → Gru in place of SimpleRnn" },
        "SK021" => setup with { Optimizer = new Adam { LearningRate = 1e-3 }, Name = setup.Name + " → Adam 0.001" },
        "SK006" when top.Evidence.TryGetValue(Finding.SuggestedLearningRate, out var rate) => setup with { Optimizer = WithRate(setup.Optimizer, rate), Name = setup.Name + $" → learning rate {rate:G2}" },
        _ => null,
    };
    if (next is null) { Console.WriteLine($"The sample has no change for {top.Code}; the walk stops here.\n"); break; }
    setup = next;
}

Console.WriteLine("| Step | Validation accuracy | Doctor's top finding | Confirmed by experiment |");
Console.WriteLine("|---|---|---|---|");
foreach (var (step, accuracy, top, confirmed) in results) Console.WriteLine($"| {step} | {accuracy:F4} | {top} | {confirmed} |");
Console.WriteLine($"\nCurves: {output}");

(double Accuracy, DiagnosisReport Report) Train(Setup s, int step)
{
    using var train = SequenceDataset.FromArrays(s.TrainX, trainY);
    using var validation = SequenceDataset.FromArrays(s.ValidX, validY);
    using var model = new SequenceModel(new SequenceModelOptions { Seed = 1 }, Input.Sequence(3), s.Cell switch
    {
        Cell.SimpleRnn => new SimpleRnn(32),
        Cell.Gru => new Gru(32),
        _ => new Lstm(32),
    }, new Dense(classes));
    // The walk reads the end-of-training report only, so the diagnosis at the plateau is skipped.
    var doctor = new DoctorCallback(new DoctorCallbackOptions { DiagnoseOnPlateau = false });
    var options = new TrainerOptions
    {
        Loss = new CrossEntropyLoss(), Optimizer = s.Optimizer, Metrics = [new Accuracy()],
        Epochs = s.Epochs, BatchSize = 32, Seed = 1, Callbacks = [doctor],
    };
    var history = Trainer.Fit(model, train, validation, options);
    var report = doctor.LastReport!;
    var accuracy = history["val_accuracy"][^1];
    Console.WriteLine($"== {step}. {s.Name}: validation accuracy {accuracy:F4}");
    Console.WriteLine(report);
    Console.WriteLine();
    var file = Path.Combine(output, $"{step}-{new string(s.Name.Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant()}.png");
    HistoryPlot.SavePng(history, file, $"{step}. {s.Name}", plateauEpoch: doctor.FirstPlateauEpoch);
    return (accuracy, report);
}

// SK003's fix: a StandardScaler fitted on the training inputs only, applied to both sets.
Setup Scaled(Setup s)
{
    var scaler = new StandardScaler();
    return s with { TrainX = scaler.FitTransform(s.TrainX), ValidX = scaler.Transform(s.ValidX), Name = s.Name + " → StandardScaler" };
}

static IOptimizerFactory WithRate(IOptimizerFactory optimizer, double rate) => optimizer switch
{
    Sgd sgd => sgd with { LearningRate = rate },
    Adam adam => adam with { LearningRate = rate },
    _ => throw new NotSupportedException($"The sample sets the rate of Sgd and Adam only; got {optimizer.GetType().Name}."),
};

enum Cell { SimpleRnn, Gru, Lstm }

record Setup(float[,,] TrainX, float[,,] ValidX, Cell Cell, IOptimizerFactory Optimizer, int Epochs, string Name);
