using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Callbacks;
using SequenceKit.Training.Losses;
using SequenceKit.Training.Schedulers;
using static SequenceKit.Tests.Training.TrainingData;

namespace SequenceKit.Tests.Training;

/// <summary>Everything that must fail before the first batch, with a message that says what and how to fix it.</summary>
public class TrainerValidationTests
{
    private static void FitFails<TException>(SequenceModel model, SequenceDataset train, SequenceDataset? validation, TrainerOptions options, params string[] phrases)
        where TException : Exception
    {
        var before = Weights(model);
        var error = Assert.Throws<TException>(() => Trainer.Fit(model, train, validation, options))!;
        foreach (var phrase in phrases) Assert.That(error.Message, Does.Contain(phrase));
        Assert.That(Weights(model), Is.EqualTo(before), "nothing was trained");
    }

    [Test]
    public void Batch_size_and_epochs_must_be_positive()
    {
        using var data = Dataset(8, 1);
        using var model = Model();
        FitFails<ArgumentOutOfRangeException>(model, data, null, Options() with { BatchSize = 0 }, "BatchSize must be positive; got 0");
        FitFails<ArgumentOutOfRangeException>(model, data, null, Options() with { Epochs = -1 }, "Epochs must be positive; got -1");
        FitFails<ArgumentOutOfRangeException>(model, data, null, Options() with { ClipGradientNorm = 0 }, "ClipGradientNorm");
    }

    [Test]
    public void An_empty_or_misaligned_training_set_is_rejected()
    {
        using var data = Dataset(8, 1);
        Assert.That(Assert.Throws<ArgumentException>(() => data.Subset([]))!.Message, Does.Contain("no samples"));
        Assert.That(Assert.Throws<ArgumentException>(() => SequenceDataset.FromArrays(new float[5, 6, 2], new long[4]))!.Message,
            Does.Contain("targets has 4 samples but inputs has 5"));
    }

    [Test]
    public void Inputs_that_do_not_fit_the_model_are_rejected()
    {
        using var model = Model();
        using var wide = SequenceDataset.FromArrays(new float[4, 6, 3], new long[4]);
        FitFails<ArgumentException>(model, wide, null, Options(), "training set's inputs have shape per sample [6, 3]", "(batch, time, 2)");
        using var train = Dataset(8, 1);
        FitFails<ArgumentException>(model, train, wide, Options(), "validation set's inputs have shape per sample [6, 3]");
    }

    [Test]
    public void NaN_in_targets_is_rejected_with_its_row()
    {
        var (inputs, _) = SignTask(6, 2);
        var targets = new float[6, 2];
        for (var i = 0; i < 6; i++) targets[i, i % 2] = 1;
        targets[4, 0] = float.NaN;
        using var data = SequenceDataset.FromArrays(inputs, targets);
        using var model = Model();
        FitFails<ArgumentException>(model, data, null, Options(), "contain NaN (first in row 4)");
    }

    [Test]
    public void A_scheduler_on_validation_loss_without_validation_data_says_so()
    {
        using var data = Dataset(8, 1);
        using var model = Model();
        FitFails<SequenceKitException>(model, data, null, Options() with { MetricScheduler = new ReduceLrOnPlateau() },
            "monitors 'val_loss'", "Available: loss, accuracy, lr", "Pass a validation set");
    }

    [Test]
    public void A_callback_monitoring_a_missing_metric_lists_those_that_exist()
    {
        using var data = Dataset(8, 1);
        using var model = Model();
        FitFails<SequenceKitException>(model, data, data, Options() with { Callbacks = [new EarlyStopping(new() { Monitor = "val_acc" })] },
            "EarlyStopping monitors 'val_acc'", "val_accuracy");
    }

    [Test]
    public void Regression_targets_with_a_classification_loss()
    {
        var (inputs, _) = SignTask(6, 3);
        using var data = SequenceDataset.FromArrays(inputs, new float[6, 2] { { 0.5f, 3 }, { 1, 2 }, { 0, 0 }, { 1, 1 }, { 2, 2 }, { 3, 3 } });
        using var model = Model();
        FitFails<SequenceKitException>(model, data, null, Options(), "float targets that are not one-hot", "MeanSquaredErrorLoss");
    }

    [Test]
    public void A_label_beyond_the_output_units()
    {
        var (inputs, _) = SignTask(4, 4);
        using var data = SequenceDataset.FromArrays(inputs, new long[] { 0, 1, 2, 1 });
        using var model = Model();
        FitFails<SequenceKitException>(model, data, null, Options(), "Label 2 is outside 0..1", "2 units");
    }

    [Test]
    public void A_one_hot_width_different_from_the_output_units()
    {
        var (inputs, labels) = SignTask(4, 5);
        using var data = SequenceDataset.FromArrays(inputs, Labels.ToCategorical(labels, 3));
        using var model = Model();
        FitFails<SequenceKitException>(model, data, null, Options(), "one-hot width 3 ≠ output units 2");
    }

    [Test]
    public void A_sigmoid_output_with_more_than_two_classes()
    {
        var (inputs, _) = SignTask(4, 6);
        using var data = SequenceDataset.FromArrays(inputs, new long[] { 0, 1, 2, 0 });
        using var model = new SequenceModel(Input.Sequence(2), new Gru(4), new Dense(1, Activation.Sigmoid));
        FitFails<SequenceKitException>(model, data, null, Options() with { Loss = new BinaryCrossEntropyLoss() }, "sigmoid output with more than two classes", "Softmax");
        using var softmax = new SequenceModel(Input.Sequence(2), new Gru(4), new Dense(3, Activation.Sigmoid));
        FitFails<SequenceKitException>(softmax, data, null, Options(), "CrossEntropyLoss needs logits", "Sigmoid");
    }

    [Test]
    public void Class_indices_with_a_regression_loss()
    {
        using var data = Dataset(4, 7);
        using var model = Model();
        FitFails<SequenceKitException>(model, data, null, Options() with { Loss = new MeanSquaredErrorLoss() }, "regression loss", "class indices");
    }

    [Test]
    public void Class_weights_must_have_one_entry_per_class()
    {
        using var data = Dataset(4, 8);
        using var model = Model();
        FitFails<ArgumentException>(model, data, null, Options() with { ClassWeights = [1, 2, 3] }, "3 entries", "needs 2");
    }
}
