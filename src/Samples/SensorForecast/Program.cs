// SensorForecast: window a sensor series, split it in time, fit the scalers on the training part only,
// train an LSTM to predict the next reading, then save the model with its scalers and forecast in sensor units.
// Run: dotnet run --project src/Samples/SensorForecast
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using static TorchSharp.torch;

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

// 3. A small LSTM forecaster, trained with a plain loop over seeded mini-batches.
using var model = new SequenceModel(new SequenceModelOptions { Seed = 1 }, Input.Sequence(2), new Lstm(32), new Dense(1));
using var data = SequenceDataset.FromArrays(trainInputs, trainTargets);
using var optimizer = optim.Adam(model.parameters(), lr: 0.01);
for (var epoch = 1; epoch <= 5; epoch++)
{
    model.train();
    double loss = 0;
    var batches = 0;
    foreach (var batch in data.Batches(new BatchOptions { BatchSize = 64, Seed = epoch }))
    {
        using var scope = NewDisposeScope();
        using (batch)
        {
            optimizer.zero_grad();
            var l = nn.functional.mse_loss(model.forward(batch.Inputs), batch.Targets);
            l.backward();
            optimizer.step();
            loss += l.item<float>();
            batches++;
        }
    }
    Console.WriteLine($"epoch {epoch}: training MSE (scaled) {loss / batches:F4}");
}

// 4. Keep the scalers with the model: inference applies exactly the preprocessing training used.
model.Scalers["inputs"] = inputScaler;
model.Scalers["targets"] = targetScaler;
var path = Path.Combine(Path.GetTempPath(), "sensor-forecast.skmodel");
model.Save(path);

using var loaded = SequenceModel.Load(path);
loaded.eval();
using (no_grad())
{
    using var x = tensor(loaded.Scalers["inputs"].Transform(validation.Inputs));
    using var scaledPrediction = loaded.forward(x);
    using var prediction = loaded.Scalers["targets"].InverseTransform(scaledPrediction);   // back to kelvin
    var predicted = prediction.data<float>().ToArray();
    var mae = predicted.Select((p, i) => Math.Abs(p - validation.Targets[i, 0])).Average();
    var naive = Enumerable.Range(0, validation.Count).Select(i => Math.Abs(validation.Inputs[i, 23, 0] - validation.Targets[i, 0])).Average();
    Console.WriteLine($"validation MAE {mae:F3} K (repeating the last reading: {naive:F3} K); first forecast {predicted[0]:F2} K, actual {validation.Targets[0, 0]:F2} K");
}
