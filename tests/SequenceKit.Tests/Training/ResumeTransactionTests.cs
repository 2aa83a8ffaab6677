using System.Text.Json.Nodes;
using SequenceKit.Models;
using SequenceKit.Tests.IO;
using SequenceKit.Training;
using SequenceKit.Training.Callbacks;
using static SequenceKit.Tests.Training.TrainingData;

namespace SequenceKit.Tests.Training;

/// <summary>
/// Resume is a transaction: a checkpoint that is corrupt, or crafted with matching hashes but out-of-range content, is
/// refused with a <see cref="CheckpointFileException"/> naming the part, before libtorch reads it, and the model is
/// bit-for-bit as before.
/// </summary>
public class ResumeTransactionTests : TemporaryFolderTest
{
    // optimizer.dat of Adam over Input(2)-Gru(8)-Dense(2), by TorchSharp 0.107's layout (Optimizer.cs, Adam.cs,
    // TensorExtensionMethods.Save): "Adam" as a .NET string (1 + 4 bytes), 1 group and 6 states as LEB128 (1 byte
    // each), the group's options (8 doubles' worth: 2 rates + beta1, beta2, eps, weight_decay = 48 bytes, then 2
    // booleans) = 50 bytes, so parameter 0's state starts at 57: step (8 bytes), then exp_avg: dtype code at 65
    // (6 = Float32), rank at 66 (2), dimensions at 67 and 68 (24, 2: weight_ih_l0 of a GRU with 8 units and 2 inputs).
    private const int DtypeOffset = 65, RankOffset = 66, FirstDimensionOffset = 67;

    private string checkpoint = "";

    [SetUp]
    public void WriteCheckpoint()
    {
        checkpoint = Path.Combine(Folder, "run.ckpt");
        using var train = Dataset(32, 1);
        using var model = Model(seed: 3);
        Trainer.Fit(model, train, null, Options(2) with { Callbacks = [new ModelCheckpoint(new ModelCheckpointOptions(checkpoint) { SaveBestOnly = false })] });
    }

    private static byte[] StateBytes(SequenceModel model)
    {
        using var buffer = new MemoryStream();
        model.save(buffer);
        return buffer.ToArray();
    }

    /// <summary>Resumes into a fresh model; asserts refusal naming <paramref name="part"/> and that the model is unchanged.</summary>
    private void AssertRefused(string part)
    {
        using var train = Dataset(32, 1);
        using var model = Model(seed: 99);
        var before = StateBytes(model);
        var error = Assert.Throws<CheckpointFileException>(() => Trainer.Fit(model, train, null, Options(4) with { ResumeFrom = checkpoint }))!;
        Assert.That(error.Path, Is.EqualTo(checkpoint));
        Assert.That(error.Part, Is.EqualTo(part));
        Assert.That(StateBytes(model), Is.EqualTo(before), "the model is bit-for-bit unchanged");
    }

    private void Edit(Action<JsonObject, Dictionary<string, byte[]>> edit, bool resign) =>
        ArchiveEditor.Rewrite(checkpoint, "checkpoint.json", edit, resign);

    [Test]
    public void The_layout_offsets_used_below_hold_for_this_checkpoint()
    {
        var state = ArchiveEditor.Read(checkpoint)["optimizer.dat"];
        Assert.That(state[..5], Is.EqualTo(new byte[] { 4, (byte)'A', (byte)'d', (byte)'a', (byte)'m' }));
        Assert.That((state[5], state[6]), Is.EqualTo(((byte)1, (byte)6)), "1 group, 6 parameter states");
        Assert.That((state[DtypeOffset], state[RankOffset], state[FirstDimensionOffset], state[FirstDimensionOffset + 1]), Is.EqualTo(((byte)6, (byte)2, (byte)24, (byte)2)));
    }

    [Test]
    public void A_flipped_bit_in_the_optimizer_state_is_refused_by_its_hash()
    {
        Edit((_, entries) => entries["optimizer.dat"][1564 % entries["optimizer.dat"].Length] ^= 0x10, resign: false);
        AssertRefused("optimizer.dat");
    }

    [Test]
    public void A_flipped_bit_in_the_weights_is_refused_by_their_hash()
    {
        Edit((_, entries) => entries["weights.dat"][^3] ^= 0x01, resign: false);
        AssertRefused("weights.dat");
    }

    [Test]
    public void An_edited_metadata_value_is_refused_by_the_manifest_hash()
    {
        Edit((manifest, _) => manifest["nextEpoch"] = 1, resign: false);
        AssertRefused("checkpoint.json");
    }

    [TestCase(DtypeOffset, 7, TestName = "Optimizer state with dtype code 7 (Float64) for a Float32 parameter")]
    [TestCase(DtypeOffset, 99, TestName = "Optimizer state with an unknown dtype code")]
    [TestCase(RankOffset, 3, TestName = "Optimizer state with the wrong rank")]
    [TestCase(FirstDimensionOffset, 25, TestName = "Optimizer state with the wrong shape")]
    [TestCase(FirstDimensionOffset, 0xFF, TestName = "Optimizer state with a dimension that runs past the data")]
    public void Crafted_optimizer_state_with_matching_hashes_is_refused_before_libtorch(int offset, int value)
    {
        Edit((_, entries) => entries["optimizer.dat"][offset] = (byte)value, resign: true);
        AssertRefused("optimizer.dat");
    }

    [Test]
    public void Crafted_optimizer_hyperparameters_and_step_are_refused()
    {
        // beta1 (the third double of the group, at 7 + 16) set to NaN.
        Edit((_, entries) => BitConverter.GetBytes(double.NaN).CopyTo(entries["optimizer.dat"], 7 + 16), resign: true);
        AssertRefused("optimizer.dat");
        WriteCheckpoint();
        Edit((_, entries) => BitConverter.GetBytes(-5L).CopyTo(entries["optimizer.dat"], 57), resign: true);    // step −5
        AssertRefused("optimizer.dat");
        WriteCheckpoint();
        Edit((_, entries) => entries["optimizer.dat"] = [.. entries["optimizer.dat"], 0], resign: true);          // a trailing byte
        AssertRefused("optimizer.dat");
    }

    [TestCase("baseRate", "\"NaN\"")]
    [TestCase("baseRate", "0")]
    [TestCase("baseRate", "-0.01")]
    [TestCase("nextEpoch", "-3")]
    [TestCase("nextEpoch", "5")]                       // beyond Epochs = 4
    [TestCase("nextEpoch", "1")]                       // the history holds 2 epochs
    [TestCase("history", "[]")]
    [TestCase("history", "[{\"Epoch\": 0, \"Metrics\": {}, \"LearningRate\": 0.02, \"Seconds\": 1}, {\"Epoch\": 5, \"Metrics\": {}, \"LearningRate\": 0.02, \"Seconds\": 1}]")]
    [TestCase("seed", "\"7\"")]
    [TestCase("parameters", "{}")]
    public void Crafted_metadata_with_matching_hashes_is_refused(string property, string json)
    {
        Edit((manifest, _) => manifest[property] = JsonNode.Parse(json), resign: true);
        AssertRefused("checkpoint.json");
    }

    [Test]
    public void A_crafted_nan_in_the_weights_is_refused()
    {
        Edit((_, entries) => BitConverter.GetBytes(float.NaN).CopyTo(entries["weights.dat"], entries["weights.dat"].Length - 4), resign: true);
        AssertRefused("weights.dat");
    }

    [Test]
    public void A_crafted_negative_second_moment_is_refused()
    {
        // exp_avg_sq of parameter 0 follows exp_avg (header 4 bytes + 24·2 floats) at 65 + 4 + 192; its data starts 4 bytes later.
        Edit((_, entries) => BitConverter.GetBytes(-1f).CopyTo(entries["optimizer.dat"], 65 + 4 + 192 + 4), resign: true);
        AssertRefused("optimizer.dat");
    }

    [Test]
    public void A_checkpoint_that_passes_every_check_still_resumes()
    {
        Edit((_, _) => { }, resign: true);                 // re-signed but unchanged: the helper itself is sound
        using var train = Dataset(32, 1);
        using var model = Model(seed: 99);
        var history = Trainer.Fit(model, train, null, Options(4) with { ResumeFrom = checkpoint });
        Assert.That(history.Epochs.Select(e => e.Epoch), Is.EqualTo(new[] { 0, 1, 2, 3 }));
    }
}
