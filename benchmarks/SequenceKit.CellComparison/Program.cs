// Cell-type comparison: SimpleRnn, Lstm and Gru (32 units each) trained on the same tasks with the same seed, data,
// optimizer and epochs. Prints and writes a Markdown table (parameters, time per epoch, final metric, epochs to reach
// the target, the training doctor's top finding) and one PNG of validation curves per task.
// Run: dotnet run -c Release --project benchmarks/SequenceKit.CellComparison [-- --output docs --epochs 25 --quick]
using System.Diagnostics;
using System.Globalization;
using System.Text;
using SequenceKit.Diagnostics;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Plots;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Losses;
using SequenceKit.Training.Metrics;
using SequenceKit.Training.Optimizers;

var output = Argument("--output") ?? Path.Combine("artifacts", "cell-comparison");
var epochs = int.Parse(Argument("--epochs") ?? "25", CultureInfo.InvariantCulture);
var quick = args.Contains("--quick");                     // a smoke run: small data, 2 epochs
if (quick) epochs = 2;
var scale = quick ? 0.1 : 1.0;
string? Argument(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

var markdown = new StringBuilder();
markdown.AppendLine(string.Create(CultureInfo.InvariantCulture,
    $"Cells of 32 units, Adam 3e-3, batch 64, {epochs} epochs, seed 1, {Environment.ProcessorCount} threads; {DateTime.UtcNow:yyyy-MM-dd}."));
markdown.AppendLine();
markdown.AppendLine("| Task | Cell | Parameters | Seconds / epoch | Final validation metric | Epochs to target | Doctor's top finding |");
markdown.AppendLine("|---|---|---|---|---|---|---|");

foreach (var steps in new[] { 50, 100, 200 })
    Compare($"adding problem, T = {steps}", $"adding-{steps}", Adding((int)(4000 * scale), steps, 1), Adding((int)(1000 * scale), steps, 2),
        outputs: 1, new MeanSquaredErrorLoss(), "val_loss", target: 0.05, baseline: 1.0 / 6, baselineLabel: "constant 1 (MSE 1/6)");
Compare("long-range classification, T = 100", "long-range", LongRange((int)(3000 * scale), 100, 3), LongRange((int)(1000 * scale), 100, 4),
    outputs: 2, new CrossEntropyLoss(), "val_accuracy", target: 0.9, baseline: 0.5, baselineLabel: "chance");
Compare("scaled sensor series, next step", "sensor", Sensor((int)(3000 * scale), 5), Sensor((int)(1000 * scale), 6),
    outputs: 1, new MeanSquaredErrorLoss(), "val_loss", target: 0.05, baseline: null, baselineLabel: "");

Directory.CreateDirectory(output);
File.WriteAllText(Path.Combine(output, "cell-comparison.md"), markdown.ToString());
Console.WriteLine(markdown);
Console.WriteLine($"Written to {output}");

void Compare(string task, string file, (float[,,] X, float[,] Y) train, (float[,,] X, float[,] Y) validation, int outputs, ILoss loss,
    string metric, double target, double? baseline, string baselineLabel)
{
    var histories = new Dictionary<string, History>();
    foreach (var cell in new[] { "SimpleRnn", "Lstm", "Gru" })
    {
        ISequenceLayer layer = cell switch { "SimpleRnn" => new SimpleRnn(32), "Lstm" => new Lstm(32), _ => new Gru(32) };
        using var model = new SequenceModel(new SequenceModelOptions { Seed = 1 }, Input.Sequence(train.X.GetLength(2)), layer, new Dense(outputs));
        using var trainSet = loss is CrossEntropyLoss ? SequenceDataset.FromArrays(train.X, Labels(train.Y)) : SequenceDataset.FromArrays(train.X, train.Y);
        using var validSet = loss is CrossEntropyLoss ? SequenceDataset.FromArrays(validation.X, Labels(validation.Y)) : SequenceDataset.FromArrays(validation.X, validation.Y);
        var doctor = new DoctorCallback();
        var clock = Stopwatch.StartNew();
        var history = Trainer.Fit(model, trainSet, validSet, new TrainerOptions
        {
            Loss = loss, Optimizer = new Adam { LearningRate = 3e-3 }, Epochs = epochs, BatchSize = 64, Seed = 1,
            Metrics = loss is CrossEntropyLoss ? [new Accuracy()] : [], Callbacks = [doctor],
        });
        clock.Stop();
        histories[cell] = history;
        var values = history[metric];
        var higherIsBetter = metric.EndsWith("accuracy", StringComparison.Ordinal);
        var reached = Enumerable.Range(0, values.Count).FirstOrDefault(e => higherIsBetter ? values[e] >= target : values[e] <= target, -1);
        var perEpoch = history.Epochs.Average(e => e.Duration.TotalSeconds);
        var top = doctor.LastReport?.Top is { } finding ? $"{finding.Code} {finding.Title}" : "none";
        var row = string.Create(CultureInfo.InvariantCulture,
            $"| {task} | {cell} | {model.ParameterCount:N0} | {perEpoch:F2} | {metric} {values[^1]:F4} | {(reached < 0 ? "not reached" : (reached + 1).ToString(CultureInfo.InvariantCulture))} | {top} |");
        markdown.AppendLine(row);
        Console.WriteLine(row);
    }
    HistoryPlot.SaveComparison(histories, metric, Path.Combine(output, $"cells-{file}.png"), task, baseline, baselineLabel);
}

static long[] Labels(float[,] y) => Enumerable.Range(0, y.GetLength(0)).Select(i => (long)y[i, 0]).ToArray();

// Adding problem (Hochreiter & Schmidhuber): channel 0 uniform in [0, 1], channel 1 marks one step in each half;
// the target is the sum of the two marked values. Predicting 1 always gives MSE 1/6.
static (float[,,], float[,]) Adding(int n, int steps, int seed)
{
    var random = new Random(seed);
    var x = new float[n, steps, 2];
    var y = new float[n, 1];
    for (var i = 0; i < n; i++)
    {
        for (var t = 0; t < steps; t++) x[i, t, 0] = (float)random.NextDouble();
        var first = random.Next(steps / 2);
        var second = steps / 2 + random.Next(steps / 2);
        x[i, first, 1] = x[i, second, 1] = 1;
        y[i, 0] = x[i, first, 0] + x[i, second, 0];
    }
    return (x, y);
}

// The class is the sign of the first step's channel 0; the other 99 steps are noise.
static (float[,,], float[,]) LongRange(int n, int steps, int seed)
{
    var random = new Random(seed);
    var x = new float[n, steps, 2];
    var y = new float[n, 1];
    for (var i = 0; i < n; i++)
    {
        for (var t = 0; t < steps; t++) (x[i, t, 0], x[i, t, 1]) = ((float)Gaussian(random), (float)Gaussian(random));
        y[i, 0] = x[i, 0, 0] > 0 ? 1 : 0;
    }
    return (x, y);
}

// Two scaled sensor channels (a daily cycle and a slower one, with noise); predict channel 0 one step after a
// 48-step window. Scaled with a StandardScaler fitted on the training windows.
static (float[,,], float[,]) Sensor(int n, int seed)
{
    var random = new Random(seed);
    var series = new float[n + 49, 2];
    for (var t = 0; t < series.GetLength(0); t++)
    {
        series[t, 0] = (float)(Math.Sin(2 * Math.PI * t / 24) + 0.5 * Math.Sin(2 * Math.PI * t / 97) + 0.1 * Gaussian(random));
        series[t, 1] = (float)(Math.Cos(2 * Math.PI * t / 24) + 0.1 * Gaussian(random));
    }
    var windows = TimeSeriesWindows.Create(series, new WindowOptions(48) { TargetFeatures = [0] });
    return (new StandardScaler().FitTransform(windows.Inputs), windows.Targets);
}

static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
