// Cell-type comparison: SimpleRnn, Lstm and Gru (32 units each) trained on the same tasks with the same seed, data,
// optimizer and epochs; one sweep configuration per (task, cell), so it can be sharded over a job scheduler.
// Writes a Markdown table (parameters, time per epoch, final metric, epochs to reach the target, the training doctor's
// top finding) and one PNG of validation curves per task.
//   dotnet run -c Release --project benchmarks/SequenceKit.CellComparison [-- --output DIR --epochs 25 --quick --threads N --doctor off]
//       runs every configuration here, then merges (the results go to DIR/results)
//   … -- run [--shard i/n] --results DIR [--epochs 25 --quick --threads N]
//       runs this shard's configurations (the shard also comes from SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX)
//   … -- merge --results DIR --output DIR
//       builds the table and charts from whatever results exist
// deploy/slurm/cell-comparison.sbatch and deploy/kubernetes/cell-comparison-job.yaml run it on a cluster.
using System.Globalization;
using SequenceKit.Diagnostics;
using SequenceKit.Sweeps;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Plots;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Losses;
using SequenceKit.Training.Metrics;
using SequenceKit.Training.Optimizers;

var verb = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "all";
var output = Argument("--output") ?? Path.Combine("artifacts", "cell-comparison");
var results = Argument("--results") ?? Path.Combine(output, "results");
var epochs = int.Parse(Argument("--epochs") ?? "25", CultureInfo.InvariantCulture);
var quick = args.Contains("--quick");                     // a smoke run: small data, 2 epochs
if (quick) epochs = 2;
var scale = quick ? 0.1 : 1.0;
var withDoctor = Argument("--doctor") != "off";          // "--doctor off": no doctor (its active probes depend on machine load)
if (Argument("--threads") is { } threads) TorchSharp.torch.set_num_threads(int.Parse(threads, CultureInfo.InvariantCulture));
string? Argument(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

var tasks = new Dictionary<string, ComparisonTask>(StringComparer.Ordinal)
{
    ["adding-50"] = new ComparisonTask("adding problem, T = 50", () => (Adding((int)(4000 * scale), 50, 1), Adding((int)(1000 * scale), 50, 2)), 1, "val_loss", 0.05, 1.0 / 6, "constant 1 (MSE 1/6)"),
    ["adding-100"] = new ComparisonTask("adding problem, T = 100", () => (Adding((int)(4000 * scale), 100, 1), Adding((int)(1000 * scale), 100, 2)), 1, "val_loss", 0.05, 1.0 / 6, "constant 1 (MSE 1/6)"),
    ["adding-200"] = new ComparisonTask("adding problem, T = 200", () => (Adding((int)(4000 * scale), 200, 1), Adding((int)(1000 * scale), 200, 2)), 1, "val_loss", 0.05, 1.0 / 6, "constant 1 (MSE 1/6)"),
    ["long-range"] = new ComparisonTask("long-range classification, T = 100", () => (LongRange((int)(3000 * scale), 100, 3), LongRange((int)(1000 * scale), 100, 4)), 2, "val_accuracy", 0.9, 0.5, "chance"),
    ["sensor"] = new ComparisonTask("scaled sensor series, next step", () => (Sensor((int)(3000 * scale), 5), Sensor((int)(1000 * scale), 6)), 1, "val_loss", 0.05, null, ""),
};
var sweep = Sweep.Grid(("task", tasks.Keys.ToArray()), ("cell", ["SimpleRnn", "Lstm", "Gru"]));

if (verb is "all" or "run")
{
    var shard = SweepShard.FromEnvironment(args);
    var summary = Sweep.Run(sweep, new SweepOptions(results)
    {
        Shard = shard,
        Progress = (c, skipped) => Console.WriteLine($"shard {shard.Index}/{shard.Count}: {c.Id}{(skipped ? " (finished before, skipped)" : "")}"),
    }, Train);
    Console.WriteLine($"shard {shard.Index}/{shard.Count}: ran {summary.Ran.Count}, skipped {summary.Skipped.Count}, other shards' {summary.OtherShards}");
}
if (verb is "all" or "merge") Merge();
if (verb is not ("all" or "run" or "merge"))
{
    Console.Error.WriteLine($"unknown command '{verb}'; expected run, merge or none");
    return 2;
}
return 0;

SweepRun Train(SweepConfiguration configuration)
{
    var task = tasks[configuration["task"]];
    var (train, validation) = task.Data();
    var classify = task.Metric == "val_accuracy";
    ISequenceLayer layer = configuration["cell"] switch { "SimpleRnn" => new SimpleRnn(32), "Lstm" => new Lstm(32), _ => new Gru(32) };
    using var model = new SequenceModel(new SequenceModelOptions { Seed = 1 }, Input.Sequence(train.X.GetLength(2)), layer, new Dense(task.Outputs));
    using var trainSet = classify ? SequenceDataset.FromArrays(train.X, Labels(train.Y)) : SequenceDataset.FromArrays(train.X, train.Y);
    using var validSet = classify ? SequenceDataset.FromArrays(validation.X, Labels(validation.Y)) : SequenceDataset.FromArrays(validation.X, validation.Y);
    var doctor = withDoctor ? new DoctorCallback() : null;
    var history = Trainer.Fit(model, trainSet, validSet, new TrainerOptions
    {
        Loss = classify ? new CrossEntropyLoss() : new MeanSquaredErrorLoss(), Optimizer = new Adam { LearningRate = 3e-3 },
        Epochs = epochs, BatchSize = 64, Seed = 1, Metrics = classify ? [new Accuracy()] : [], Callbacks = doctor is null ? [] : [doctor],
    });
    return new SweepRun(history)
    {
        Doctor = doctor?.LastReport,
        Values = new Dictionary<string, double> { ["parameters"] = model.ParameterCount },
    };
}

void Merge()
{
    var finished = SweepResults.Load(results, sweep);
    var table = SweepResults.ToMarkdown(finished,
        new SweepColumn("Task", r => tasks[r.Configuration["task"]].Title),
        SweepColumn.Parameter("cell", "Cell"),
        SweepColumn.Value("parameters", "N0", "Parameters"),
        new SweepColumn("Seconds / epoch", r => r.History.Epochs.Average(e => e.Duration.TotalSeconds).ToString("F2", CultureInfo.InvariantCulture)),
        new SweepColumn("Final validation metric", r => string.Create(CultureInfo.InvariantCulture,
            $"{tasks[r.Configuration["task"]].Metric} {r.FinalMetrics[tasks[r.Configuration["task"]].Metric]:F4}")),
        new SweepColumn("Epochs to target", r => EpochsToTarget(r, tasks[r.Configuration["task"]])),
        SweepColumn.Doctor());
    var header = string.Create(CultureInfo.InvariantCulture,
        $"Cells of 32 units, Adam 3e-3, batch 64, seed 1; {finished.Count} of {sweep.Count} configurations finished; merged {DateTime.UtcNow:yyyy-MM-dd}.");
    Directory.CreateDirectory(output);
    foreach (var (key, task) in tasks)
    {
        var histories = finished.Where(r => r.Configuration["task"] == key).ToDictionary(r => r.Configuration["cell"], r => r.History);
        if (histories.Count > 0)
            HistoryPlot.SaveComparison(histories, task.Metric, Path.Combine(output, $"cells-{key}.png"), task.Title, task.Baseline, task.BaselineLabel);
    }
    File.WriteAllText(Path.Combine(output, "cell-comparison.md"), header + Environment.NewLine + Environment.NewLine + table);
    Console.WriteLine(header);
    Console.WriteLine(table);
    Console.WriteLine($"Written to {output}");
}

static string EpochsToTarget(SweepResult result, ComparisonTask task)
{
    var values = result.History[task.Metric];
    var higherIsBetter = task.Metric.EndsWith("accuracy", StringComparison.Ordinal);
    var reached = Enumerable.Range(0, values.Count).FirstOrDefault(e => higherIsBetter ? values[e] >= task.Target : values[e] <= task.Target, -1);
    return reached < 0 ? "not reached" : (reached + 1).ToString(CultureInfo.InvariantCulture);
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

/// <summary>One task of the comparison: its data (built on demand), outputs, validation metric and target.</summary>
internal sealed record ComparisonTask(string Title, Func<((float[,,] X, float[,] Y) Train, (float[,,] X, float[,] Y) Validation)> Data,
    int Outputs, string Metric, double Target, double? Baseline, string BaselineLabel);
