using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Losses;
using SequenceKit.Training.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Tests.Preprocessing;

/// <summary>
/// The array types a .NET program holds (double/int arrays, vectors, lists of int arrays) are accepted wherever data
/// is read, and give the same result as the float/long forms; predictions come back as arrays.
/// </summary>
public class ArrayInputTests
{
    private static double[,,] Doubles(float[,,] values)
    {
        var result = new double[values.GetLength(0), values.GetLength(1), values.GetLength(2)];
        for (var i = 0; i < values.GetLength(0); i++)
            for (var t = 0; t < values.GetLength(1); t++)
                for (var f = 0; f < values.GetLength(2); f++)
                    result[i, t, f] = values[i, t, f];
        return result;
    }

    private static float[] Flat(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.to(ScalarType.Float32).cpu().data<float>().ToArray();
    }

    [Test]
    public void Datasets_from_double_sequences_and_int_labels_equal_those_from_float_and_long()
    {
        var (inputs, labels) = Training.TrainingData.SignTask(12, 3);
        using var reference = SequenceDataset.FromArrays(inputs, labels);
        using var converted = SequenceDataset.FromArrays(Doubles(inputs), labels.Select(l => (int)l).ToArray());
        Assert.That(converted.InputShape, Is.EqualTo(reference.InputShape));
        Assert.That(converted.TargetType, Is.EqualTo(ScalarType.Int64), "int labels are class indices");
        using var a = reference.GetBatch([.. Enumerable.Range(0, 12).Select(i => (long)i)]);
        using var b = converted.GetBatch([.. Enumerable.Range(0, 12).Select(i => (long)i)]);
        Assert.That(Flat(b.Inputs), Is.EqualTo(Flat(a.Inputs)));
        Assert.That(b.Targets.data<long>().ToArray(), Is.EqualTo(labels));
    }

    [Test]
    public void A_vector_of_float_or_double_targets_becomes_one_column_per_sample()
    {
        var inputs = new float[3, 2, 1];
        using var fromFloats = SequenceDataset.FromArrays(inputs, new[] { 1.5f, -2f, 4f });
        using var fromDoubles = SequenceDataset.FromArrays(inputs, new[] { 1.5, -2.0, 4.0 });
        Assert.That(fromFloats.TargetShape, Is.EqualTo(new long[] { 1 }));
        Assert.That(fromDoubles.TargetShape, Is.EqualTo(new long[] { 1 }));
        Assert.That(fromDoubles.TargetType, Is.EqualTo(ScalarType.Float32));
        using var batch = fromDoubles.GetBatch([0, 1, 2]);
        Assert.That(Flat(batch.Targets), Is.EqualTo(new[] { 1.5f, -2f, 4f }));
    }

    [Test]
    public void Bad_arrays_are_refused_with_the_argument_named()
    {
        var inputs = new float[2, 2, 1];
        Assert.That(Assert.Throws<ArgumentNullException>(() => SequenceDataset.FromArrays((double[,,])null!, new[] { 1, 0 }))!.ParamName, Is.EqualTo("inputs"));
        var lengths = Assert.Throws<ArgumentException>(() => SequenceDataset.FromArrays(inputs, new[] { 1, 0 }, new[] { 1.5, 2.0 }))!;
        Assert.That(lengths.ParamName, Is.EqualTo("lengths"));
        Assert.That(lengths.Message, Does.Contain("double[] of shape [2]"));
        var ragged = Assert.Throws<ArgumentException>(() => SequenceDataset.FromArrays(new[] { new[] { 1f, 2f }, new[] { 3f } }, new[] { 1, 0 }))!;
        Assert.That(ragged.Message, Does.Contain("inputs[1] has 1 values but inputs[0] has 2"));
    }

    [Test]
    public void Windows_from_double_matrices_and_vectors_equal_those_from_a_float_matrix()
    {
        var series = Enumerable.Range(0, 20).Select(i => Math.Sin(i * 0.3)).ToArray();
        var asFloatMatrix = new float[20, 1];
        var asDoubleMatrix = new double[20, 1];
        for (var i = 0; i < 20; i++) (asFloatMatrix[i, 0], asDoubleMatrix[i, 0]) = ((float)series[i], series[i]);
        var options = new WindowOptions(5) { Horizon = 2 };
        var reference = TimeSeriesWindows.Create(asFloatMatrix, options);
        foreach (var windows in new[]
        {
            TimeSeriesWindows.Create(series, options),
            TimeSeriesWindows.Create(series.Select(v => (float)v).ToArray(), options),
            TimeSeriesWindows.Create(asDoubleMatrix, options),
        })
        {
            Assert.That(windows.Inputs, Is.EqualTo(reference.Inputs));
            Assert.That(windows.Targets, Is.EqualTo(reference.Targets));
        }
        var (train, validation) = TimeSeriesWindows.CreateSplit(series, 10, options);
        Assert.That((train.Count, validation.Count), Is.EqualTo((4, 4)), "10 steps each, window 5 + horizon 2: 10 − 7 + 1 windows");
        Assert.That(validation.Inputs[0, 0, 0], Is.EqualTo((float)series[10]));
        Assert.That(Assert.Throws<ArgumentException>(() => TimeSeriesWindows.Create(new double[2, 3, 4], options))!.ParamName, Is.EqualTo("series"));
    }

    [Test]
    public void Stratified_splits_and_label_helpers_take_int_arrays_and_lists()
    {
        var labels = Enumerable.Range(0, 40).Select(i => i % 4 == 0 ? 1 : 0).ToArray();
        var fromLong = DataSplit.TrainValidation(40, 0.25, seed: 5, stratifyBy: labels.Select(l => (long)l).ToArray());
        var fromInt = DataSplit.TrainValidation(40, 0.25, seed: 5, stratifyBy: labels);
        var fromList = DataSplit.TrainValidation(40, 0.25, seed: 5, stratifyBy: labels.ToList());
        Assert.That(fromInt.Validation, Is.EqualTo(fromLong.Validation));
        Assert.That(fromList.Validation, Is.EqualTo(fromLong.Validation));
        Assert.That(fromInt.Validation.Count(i => labels[i] == 1), Is.EqualTo(3), "10 of class 1 × 0.25, rounded half away from zero");

        Assert.That(Labels.ToCategorical(new[] { 2, 0 }, 3), Is.EqualTo(new float[,] { { 0, 0, 1 }, { 1, 0, 0 } }));
        Assert.That(Labels.BalancedClassWeights(labels, 2), Is.EqualTo(new[] { 40.0 / (2 * 30), 40.0 / (2 * 10) }));
        Assert.That(ClassDistribution.Of(new List<int> { 0, 1, 1, 1 }).MajorityShare, Is.EqualTo(0.75));
    }

    [Test]
    public void Token_padding_takes_lists_of_int_arrays_and_nested_enumerables()
    {
        var reference = PadSequences.Tokens(new long[][] { [5, 6, 7], [8] });
        var fromList = PadSequences.Tokens(new List<int[]> { new[] { 5, 6, 7 }, new[] { 8 } });
        var fromQuery = PadSequences.Tokens(Enumerable.Range(0, 2).Select(i => i == 0 ? Enumerable.Range(5, 3) : Enumerable.Repeat(8, 1)));
        Assert.That(reference.Values, Is.EqualTo(new long[,] { { 5, 6, 7 }, { 8, 0, 0 } }));
        Assert.That(fromList.Values, Is.EqualTo(reference.Values));
        Assert.That(fromQuery.Values, Is.EqualTo(reference.Values));
        Assert.That(fromList.Lengths, Is.EqualTo(new long[] { 3, 1 }));
    }

    [Test]
    public void A_scaler_takes_a_vector_as_one_feature_and_returns_the_type_it_was_given()
    {
        var values = new[] { 1.0, 2.0, 3.0, 6.0 };                         // mean 3, population std sqrt(3.5)
        var scaler = new StandardScaler();
        var scaled = scaler.FitTransform(values);
        Assert.That(scaled, Is.TypeOf<double[]>());
        var std = Math.Sqrt(((4 + 1 + 0 + 9) / 4.0));
        Assert.That(scaled, Is.EqualTo(values.Select(v => (v - 3) / std).ToArray()).Within(1e-12));
        Assert.That(scaler.InverseTransform(scaled), Is.EqualTo(values).Within(1e-12));
        Assert.That(scaler.Transform(new[] { 3f }), Is.EqualTo(new[] { 0f }));

        var fromInts = new MinMaxScaler();
        fromInts.Fit(new[,] { { 0, 10 }, { 4, 20 } });                         // integers are read as doubles
        Assert.That(fromInts.Transform(new[,] { { 2.0, 15.0 } }), Is.EqualTo(new[,] { { 0.5, 0.5 } }));
        var error = Assert.Throws<ArgumentException>(() => fromInts.Transform(new[,] { { 2, 15 } }))!;
        Assert.That(error.ParamName, Is.EqualTo("data"));
        Assert.That(error.Message, Does.Contain("int[,]"));
        Assert.Throws<ArgumentException>(() => fromInts.Transform("not numbers"));
    }

    [Test]
    public void Predict_on_arrays_returns_the_tensor_path_outputs_and_the_arg_max_classes()
    {
        var (inputs, _) = Training.TrainingData.SignTask(10, 4);
        using var model = Training.TrainingData.Model(seed: 2);
        using var x = tensor(inputs);
        using var expected = Trainer.Predict(model, x);
        var outputs = model.Predict(Doubles(inputs));
        Assert.That(outputs.GetLength(0), Is.EqualTo(10));
        Assert.That(outputs.Cast<float>().ToArray(), Is.EqualTo(Flat(expected)));
        var classes = model.PredictClasses(inputs);
        for (var i = 0; i < 10; i++)
            Assert.That(classes[i], Is.EqualTo(outputs[i, 1] > outputs[i, 0] ? 1 : 0), $"row {i}");
        Assert.That(Assert.Throws<InvalidOperationException>(() => model.PredictSequences(inputs))!.Message, Does.Contain("use Predict"));
        Assert.That(Assert.Throws<InvalidOperationException>(() => model.PredictInOriginalUnits(inputs))!.Message, Does.Contain("Scalers[\"targets\"]"));
    }

    [Test]
    public void A_single_sigmoid_unit_predicts_class_one_above_half()
    {
        using var model = new SequenceModel(new SequenceModelOptions { Seed = 3 }, Input.Sequence(1), new Gru(3), new Dense(1, Activation.Sigmoid));
        var inputs = new float[6, 4, 1];
        for (var i = 0; i < 6; i++) for (var t = 0; t < 4; t++) inputs[i, t, 0] = (i - 3) * (t + 1);
        var probabilities = model.Predict(inputs);
        var classes = model.PredictClasses(inputs);
        for (var i = 0; i < 6; i++) Assert.That(classes[i], Is.EqualTo(probabilities[i, 0] > 0.5f ? 1 : 0));
    }

    [Test]
    public void Token_tensors_of_any_integer_type_give_the_int64_result()
    {
        using var model = new SequenceModel(new SequenceModelOptions { Seed = 1 }, new Embedding(20, 4), new Lstm(3), new Dense(2, Activation.Softmax));
        using var tokens64 = tensor(new long[,] { { 1, 5, 19 }, { 7, 2, 3 } });
        using var tokens32 = tensor(new int[,] { { 1, 5, 19 }, { 7, 2, 3 } });
        using var tokens8 = tokens64.to(ScalarType.Byte);
        using var reference = model.forward(tokens64);
        using var from32 = model.forward(tokens32);
        using var from8 = model.forward(tokens8);
        Assert.That(Flat(from32), Is.EqualTo(Flat(reference)));
        Assert.That(Flat(from8), Is.EqualTo(Flat(reference)));
        using var outOfRange = tensor(new int[,] { { 1, 20, 3 } });
        Assert.That(Assert.Throws<ArgumentException>(() => model.forward(outOfRange))!.Message, Does.Contain("Token index 20 at [0, 1]"));
        Assert.That(model.PredictClasses(new[,] { { 1, 5, 19 }, { 7, 2, 3 } }), Has.Length.EqualTo(2));
    }

    [Test]
    public void Error_metrics_are_also_reported_in_original_units_when_the_model_carries_a_target_scaler()
    {
        // Targets in original units: around 1000 with spread 50; the model trains on standardized targets.
        var random = new Random(11);
        var inputs = new float[64, 5, 1];
        var original = new double[64];
        for (var i = 0; i < 64; i++)
        {
            double sum = 0;
            for (var t = 0; t < 5; t++) { inputs[i, t, 0] = (float)(random.NextDouble() * 2 - 1); sum += inputs[i, t, 0]; }
            original[i] = 1000 + 50 * sum;
        }
        var targetScaler = new StandardScaler();
        var scaled = targetScaler.FitTransform(original);
        using var data = SequenceDataset.FromArrays(inputs, scaled);
        using var model = new SequenceModel(new SequenceModelOptions { Seed = 4 }, Input.Sequence(1), new Gru(6), new Dense(1));
        model.Scalers[SequenceModel.TargetScalerName] = targetScaler;
        var options = new TrainerOptions { Loss = new MeanSquaredErrorLoss(), Epochs = 3, BatchSize = 16, Metrics = [new MeanAbsoluteError()] };
        var history = Trainer.Fit(model, data, data, options);
        Assert.That(history.Epochs[0].Metrics.Keys, Is.SupersetOf(new[] { "mae", "mae_original", "val_mae", "val_mae_original" }));

        // Independently: the model's predictions mapped back by hand (x·σ + μ), against the original targets.
        var predictions = model.Predict(inputs);
        var mean = original.Average();
        var sigma = Math.Sqrt(original.Select(v => (v - mean) * (v - mean)).Average());
        var handMae = Enumerable.Range(0, 64).Average(i => Math.Abs(predictions[i, 0] * sigma + mean - original[i]));
        Assert.That(history["val_mae_original"][^1], Is.EqualTo(handMae).Within(1e-3 * handMae));
        Assert.That(history["val_mae_original"][^1], Is.EqualTo(history["val_mae"][^1] * sigma).Within(1e-3 * handMae), "MAE scales by σ");
        var inOriginalUnits = model.PredictInOriginalUnits(inputs);
        Assert.That(inOriginalUnits[5, 0], Is.EqualTo(predictions[5, 0] * sigma + mean).Within(1e-2));
    }
}
