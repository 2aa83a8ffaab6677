// SensorForecast: window a sensor series, split it in time, fit the scalers on the training part only,
// train an LSTM to predict the next reading (MAE reported in scaled units and in kelvin), then save the model with its
// scalers and forecast in sensor units after loading it.
// Run: dotnet run --project src/Samples/SensorForecast
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Losses;
using SequenceKit.Training.Metrics;
using SequenceKit.Training.Optimizers;

// A synthetic sensor: temperature in kelvin around 290 plus a daily cycle, and pressure in pascal around 101,325.
const int steps = 2_000;
var random = new Random(7);
var series = new float[steps, 2];
for (var t = 0; t < steps; t++)
{
    series[t, 0] = (float)(290 + 8 * Math.Sin(2 * Math.PI * t / 48) + random.NextDouble());
    series[t, 1] = (float)(101_325 + 150 * Math.Cos(2 * Math.PI * t / 48) + 20 * random.NextDouble());
}

// 1. Split in time first, then cut windows: no window (input or target) crosses the boundary.
var window = new WindowOptions(Window: 24) { Horizon = 1, TargetFeatures = [0] };   // predict the next temperature
var (train, validation) = TimeSeriesWindows.CreateSplit(series, validationStart: 1_600, window);
Console.WriteLine($"windows: {train.Count} for training, {validation.Count} for validation");

// 2. Fit the scalers on the training part only; transform validation with the training statistics.
var inputScaler = new StandardScaler();
var trainInputs = inputScaler.FitTransform(train.Inputs);        // statistics per feature over samples and time
var validationInputs = inputScaler.Transform(validation.Inputs);
var targetScaler = new StandardScaler();
var trainTargets = targetScaler.FitTransform(train.Targets);
Console.WriteLine($"raw feature means {string.Join(", ", inputScaler.Mean.Select(m => m.ToString("F1")))}; " +
                  $"scaled training inputs now have mean ≈ 0 and std ≈ 1");

// 3. A small LSTM forecaster. It carries its scalers, so the trainer reports the error in kelvin too ("mae_original").
using var model = new SequenceModel(new SequenceModelOptions { Seed = 1 }, Input.Sequence(2), new Lstm(32), new Dense(1));
model.Scalers["inputs"] = inputScaler;
model.Scalers[SequenceModel.TargetScalerName] = targetScaler;
using var data = SequenceDataset.FromArrays(trainInputs, trainTargets);
using var validationData = SequenceDataset.FromArrays(validationInputs, targetScaler.Transform(validation.Targets));
var history = Trainer.Fit(model, data, validationData, new TrainerOptions
{
    Loss = new MeanSquaredErrorLoss(),
    Optimizer = new Adam { LearningRate = 0.01 },
    Epochs = 5,
    BatchSize = 64,
    Metrics = [new MeanAbsoluteError()],
});
Console.WriteLine($"validation MAE after {history.Epochs.Count} epochs: {history["val_mae"][^1]:F4} (scaled), {history["val_mae_original"][^1]:F3} K");

// 4. One file holds the model and its scalers: inference applies exactly the preprocessing training used.
var path = Path.Combine(Path.GetTempPath(), "sensor-forecast.skmodel");
model.Save(path);
using var loaded = SequenceModel.Load(path);
var forecast = loaded.PredictInOriginalUnits(loaded.Scalers["inputs"].Transform(validation.Inputs));   // kelvin
var mae = Enumerable.Range(0, validation.Count).Average(i => Math.Abs(forecast[i, 0] - validation.Targets[i, 0]));
var naive = Enumerable.Range(0, validation.Count).Select(i => Math.Abs(validation.Inputs[i, 23, 0] - validation.Targets[i, 0])).Average();
Console.WriteLine($"validation MAE {mae:F3} K (repeating the last reading: {naive:F3} K); first forecast {forecast[0, 0]:F2} K, actual {validation.Targets[0, 0]:F2} K");
