using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Losses;
using static TorchSharp.torch;
using static SequenceKit.Tests.Training.TrainingData;

namespace SequenceKit.Tests.Training;

/// <summary>
/// A bad value anywhere in the data is reported at its row in the data set (not at its place in a batch), and before
/// any optimizer step: row 30 of 40 with batch size 8 sits in the fourth batch, at position 6.
/// </summary>
public class TrainerDatasetCheckTests
{
    private const int Rows = 40, BadRow = 30;

    private static TrainerOptions Unshuffled() => Options(2) with { BatchSize = 8, Shuffle = false };

    private static SequenceModel TokenModel() => new(new SequenceModelOptions { Seed = 3 }, new Embedding(10, 4), new Gru(4), new Dense(2));

    private static void FitFails(SequenceModel model, SequenceDataset train, SequenceDataset? validation, params string[] phrases)
    {
        var before = Weights(model);
        var error = Assert.Throws<ArgumentException>(() => Trainer.Fit(model, train, validation, Unshuffled()))!;
        foreach (var phrase in phrases) Assert.That(error.Message, Does.Contain(phrase));
        Assert.That(error.Message, Does.Not.Contain("[6,"), "not the position within the batch");
        Assert.That(Weights(model), Is.EqualTo(before), "no optimizer step was applied");
    }

    [Test]
    public void NaN_in_row_30_is_named_by_its_dataset_row_step_and_feature_before_any_step()
    {
        var (inputs, labels) = SignTask(Rows, 1);
        inputs[BadRow, 2, 1] = float.NaN;
        using var data = SequenceDataset.FromArrays(inputs, labels);
        using var model = Model();
        FitFails(model, data, null, "Row 30 of the training set", "NaN at step 2, feature 1", "1 NaN and 0 infinite");
    }

    [Test]
    public void An_out_of_range_token_in_row_30_is_named_by_its_dataset_row_and_step()
    {
        var tokens = new long[Rows, 5];
        for (var i = 0; i < Rows; i++) for (var t = 0; t < 5; t++) tokens[i, t] = 1 + (i + t) % 9;
        tokens[BadRow, 1] = 57;
        using var data = SequenceDataset.FromArrays(tokens, new long[Rows]);
        using var model = TokenModel();
        FitFails(model, data, null, "Row 30 of the training set", "token index 57 at step 1", "0..9");
    }

    [Test]
    public void A_zero_length_in_row_30_is_named_by_its_dataset_row()
    {
        var (inputs, labels) = SignTask(Rows, 1);
        var lengths = Enumerable.Repeat(6L, Rows).ToArray();
        lengths[BadRow] = 0;
        using var data = SequenceDataset.FromArrays(inputs, labels, lengths);
        using var model = Model();
        FitFails(model, data, null, "Row 30 of the training set", "length 0", "[1, 6]");
    }

    [Test]
    public void A_row_that_is_all_padding_is_named_before_the_recurrent_layer_meets_it()
    {
        var tokens = new long[Rows, 5];
        for (var i = 0; i < Rows; i++) for (var t = 0; t < 3; t++) tokens[i, t] = 1 + (i + t) % 9;
        for (var t = 0; t < 5; t++) tokens[BadRow, t] = 0;
        using var data = SequenceDataset.FromArrays(tokens, new long[Rows]);
        using var model = TokenModel();
        FitFails(model, data, null, "Row 30 of the training set", "all padding");
    }

    [Test]
    public void The_validation_set_is_checked_before_the_first_step_too()
    {
        using var train = Dataset(Rows, 1);
        var (inputs, labels) = SignTask(12, 2);
        inputs[5, 0, 0] = float.PositiveInfinity;
        using var validation = SequenceDataset.FromArrays(inputs, labels);
        using var model = Model();
        FitFails(model, train, validation, "Row 5 of the validation set", "Infinity at step 0, feature 0");
    }

    [Test]
    public void Evaluate_and_Predict_name_the_row_in_the_data()
    {
        using var model = Model();
        var (inputs, labels) = SignTask(300, 4);
        inputs[270, 3, 0] = float.NaN;                                       // batch 2 of 256, position 14
        using var data = SequenceDataset.FromArrays(inputs, labels);
        Assert.That(Assert.Throws<ArgumentException>(() => Trainer.Evaluate(model, data, Unshuffled()))!.Message,
            Does.Contain("Row 270 of the data set").And.Contain("step 3, feature 0"));
        Assert.That(Assert.Throws<ArgumentException>(() => Trainer.Predict(model, data.Inputs, batchSize: 256))!.Message,
            Does.Contain("Row 270 of the inputs").And.Contain("step 3, feature 0"));
        Assert.That(Assert.Throws<ArgumentException>(() => model.Predict(inputs))!.Message, Does.Contain("Row 270 of the inputs"));
    }

    [Test]
    public void Evaluate_on_data_of_the_wrong_shape_or_with_NaN_targets_names_its_own_argument_not_the_training_set()
    {
        // Before the input contract, Evaluate blamed "the training set" and the parameter 'train' for both.
        using var model = Model();
        var (inputs, labels) = SignTask(20, 5);
        using var narrow = SequenceDataset.FromArrays(new float[20, 6, 1], labels);
        var shape = Assert.Throws<ArgumentException>(() => Trainer.Evaluate(model, narrow, Unshuffled()))!;
        Assert.That(shape.ParamName, Is.EqualTo("data"));
        Assert.That(shape.Message, Does.Contain("The data set's inputs have shape per sample [6, 1]").And.Not.Contain("training"));

        var targets = Enumerable.Range(0, 20).Select(i => i == 7 ? float.NaN : 0.5f).ToArray();
        using var regression = new SequenceModel(new SequenceModelOptions { Seed = 1 }, Input.Sequence(2), new Gru(4), new Dense(1));
        using var nanTargets = SequenceDataset.FromArrays(inputs, targets);
        var nan = Assert.Throws<ArgumentException>(() => Trainer.Evaluate(regression, nanTargets, Unshuffled() with { Loss = new MeanSquaredErrorLoss() }))!;
        Assert.That(nan.ParamName, Is.EqualTo("data"));
        Assert.That(nan.Message, Does.Contain("data set's targets contain NaN (first in row 7)"));

        // Fit still names its own arguments.
        var fit = Assert.Throws<ArgumentException>(() => Trainer.Fit(model, narrow, null, Unshuffled()))!;
        Assert.That((fit.ParamName, fit.Message.Contains("The training set's inputs", StringComparison.Ordinal)), Is.EqualTo(("train", true)));
        using var good = SequenceDataset.FromArrays(inputs, labels);
        var validation = Assert.Throws<ArgumentException>(() => Trainer.Fit(model, good, narrow, Unshuffled()))!;
        Assert.That(validation.ParamName, Is.EqualTo("validation"));
    }

    [Test]
    public void A_wrong_tensor_given_to_Predict_names_inputs_and_one_given_to_forward_names_input()
    {
        using var model = Model();
        using var wrongRank = zeros(3, 2);
        Assert.That(Assert.Throws<ArgumentException>(() => model.Predict(wrongRank))!.ParamName, Is.EqualTo("inputs"));
        Assert.That(Assert.Throws<ArgumentException>(() => model.forward(wrongRank).Dispose())!.ParamName, Is.EqualTo("input"));
    }

    [Test]
    public void ValidateInputs_false_skips_the_value_checks_as_it_skips_the_batch_checks()
    {
        var (inputs, labels) = SignTask(Rows, 1);
        inputs[BadRow, 2, 1] = float.NaN;
        using var data = SequenceDataset.FromArrays(inputs, labels);
        using var model = new SequenceModel(new SequenceModelOptions { Seed = 1, ValidateInputs = false }, Input.Sequence(2), new Gru(8), new Dense(2));
        var history = Trainer.Fit(model, data, null, Unshuffled() with { Epochs = 1 });
        var skipped = history.Events.OfType<SkippedStep>().Single();
        Assert.That(skipped.Batch, Is.EqualTo(3), "the batch holding row 30 gave a NaN loss and was not applied");
    }

    [Test]
    public void A_float64_value_beyond_float32s_range_is_refused_before_any_step()
    {
        var x = zeros(Rows, 3, 2, dtype: ScalarType.Float64);
        x[BadRow, 1, 0] = tensor(1e39);                               // finite in float64, +Infinity in a float32 batch
        using var train = new SequenceDataset(x, zeros(Rows, dtype: ScalarType.Int64));
        using var model = Model();
        FitFails(model, train, null, "Row 30 of the training set", "step 1, feature 0", "beyond ±3.4e38");
    }
}
