using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Training;
using SequenceKit.Training.Callbacks;
using SequenceKit.Training.Schedulers;
using static SequenceKit.Tests.Training.TrainingData;

namespace SequenceKit.Tests.Training;

public class TrainingCheckpointTests : TemporaryFolderTest
{
    private TrainerOptions ResumableOptions(int epochs) => Options(epochs) with
    {
        MetricScheduler = new ReduceLrOnPlateau(new ReduceLrOnPlateauOptions { Monitor = "loss", Patience = 1, Factor = 0.5, MinDelta = 0.01 }),
        Callbacks = [new ModelCheckpoint(new ModelCheckpointOptions(Path.Combine(Folder, "epoch-{epoch}.ckpt")) { SaveBestOnly = false })],
    };

    [Test]
    public void Ten_epochs_straight_equal_five_then_resume_five()
    {
        using var train = Dataset(48, 1);
        using var straight = Model(seed: 3, dropout: true);
        var full = Trainer.Fit(straight, train, null, ResumableOptions(10));

        using var interrupted = Model(seed: 3, dropout: true);
        Trainer.Fit(interrupted, train, null, ResumableOptions(5));
        using var resumed = Model(seed: 99, dropout: true);               // other initial weights: all come from the checkpoint
        var rest = Trainer.Fit(resumed, train, null, ResumableOptions(10) with { ResumeFrom = Path.Combine(Folder, "epoch-5.ckpt") });

        Assert.That(Weights(resumed), Is.EqualTo(Weights(straight)), "bit-identical final weights");
        Assert.That(rest.Epochs, Has.Count.EqualTo(10));
        Assert.That(rest["loss"], Is.EqualTo(full["loss"]));
        Assert.That(rest["lr"], Is.EqualTo(full["lr"]), "the plateau scheduler's state came back too");
    }

    [Test]
    public void Resuming_into_another_architecture_or_seed_is_refused_clearly()
    {
        using var train = Dataset(16, 2);
        using var model = Model();
        Trainer.Fit(model, train, null, ResumableOptions(1));
        var checkpoint = Path.Combine(Folder, "epoch-1.ckpt");

        using var wider = new SequenceModel(Input.Sequence(2), new Gru(9), new Dense(2));
        var error = Assert.Throws<SequenceKitException>(() => Trainer.Fit(wider, train, null, ResumableOptions(2) with { ResumeFrom = checkpoint }))!;
        Assert.That(error.Message, Does.Contain("does not match the model").And.Contain("[27, 2]").And.Contain("[24, 2]"));
        using var same = Model();
        Assert.That(Assert.Throws<SequenceKitException>(() => Trainer.Fit(same, train, null, ResumableOptions(2) with { ResumeFrom = checkpoint, Seed = 1 }))!.Message,
            Does.Contain("Seed 7").And.Contain("Seed is 1"));

        File.WriteAllBytes(checkpoint, File.ReadAllBytes(checkpoint)[..100]);
        Assert.That(Assert.Throws<SequenceKitException>(() => Trainer.Fit(same, train, null, ResumableOptions(2) with { ResumeFrom = checkpoint }))!.Message,
            Does.Contain("cannot be read"));
        Assert.Throws<FileNotFoundException>(() => Trainer.Fit(same, train, null, ResumableOptions(2) with { ResumeFrom = Path.Combine(Folder, "none.ckpt") }));
    }

    [Test]
    public void Resume_if_present_starts_fresh_without_a_file_and_continues_from_it_when_there_is_one()
    {
        using var train = Dataset(48, 1);
        var last = Path.Combine(Folder, "last.ckpt");
        TrainerOptions BackupAndRestore(int epochs) => Options(epochs) with
        {
            Callbacks = [new ModelCheckpoint(new ModelCheckpointOptions(last))],      // default: every epoch, as in Keras
            ResumeFromIfPresent = last,
        };
        using var straight = Model(seed: 3);
        var full = Trainer.Fit(straight, train, null, Options(6));

        using var first = Model(seed: 3);
        var before = Trainer.Fit(first, train, null, BackupAndRestore(4));       // no file yet: a fresh start
        Assert.That(before.Epochs, Has.Count.EqualTo(4));
        using var second = Model(seed: 99);
        var after = Trainer.Fit(second, train, null, BackupAndRestore(6));       // the same program, run again
        Assert.That(after["loss"], Is.EqualTo(full["loss"]), "epochs 5 and 6 continue after epoch 4, none replayed");
        Assert.That(Weights(second), Is.EqualTo(Weights(straight)));

        var both = Options(1) with { ResumeFrom = last, ResumeFromIfPresent = last };
        using var third = Model();
        var error = Assert.Throws<ArgumentException>(() => Trainer.Fit(third, train, null, both))!;
        Assert.That(error.ParamName, Is.EqualTo("options"));
        Assert.That(error.Message, Does.Contain("ResumeFrom").And.Contain("ResumeFromIfPresent"));
    }
}
