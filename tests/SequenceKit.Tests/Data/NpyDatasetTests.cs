using SequenceKit.Data;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Losses;
using static TorchSharp.torch;

namespace SequenceKit.Tests.Data;

/// <summary>
/// Datasets over NumPy .npy files written by NumPy itself (tests/reference/generate_npy.py): the values NumPy wrote,
/// the shapes FromArrays gives, the same training, and clear refusals of files that are not what they claim.
/// </summary>
public class NpyDatasetTests : TemporaryFolderTest
{
    private static string File(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "Reference", "data", "npy", name);

    /// <summary>The generator's formula: 100·row + 10·step + feature + 0.5.</summary>
    private static float Expected(long row, long step, long feature) => 100f * row + 10 * step + feature + 0.5f;

    /// <summary>6 rows × 4 steps × 2 features of <see cref="Expected"/> / 500 (the labels of labels_i8.npy fit them), as an array and as x.npy.</summary>
    private (float[,,] Values, string Path) SmallInputs()
    {
        var x = new float[6, 4, 2];
        for (var r = 0; r < 6; r++) for (var t = 0; t < 4; t++) for (var f = 0; f < 2; f++) x[r, t, f] = Expected(r, t, f) / 500;
        var path = Path.Combine(Folder, "x.npy");
        WriteNpy(path, x);
        return (x, path);
    }

    [TestCase("sequences_f8.npy")]
    [TestCase("sequences_f4.npy")]
    [TestCase("sequences_v2_f4.npy")]
    public void Sequences_hold_the_values_numpy_wrote_as_float32_batches(string name)
    {
        using var data = SequenceDataset.FromNpy(File(name), File("labels_i8.npy"));
        Assert.That(data.Count, Is.EqualTo(6));
        Assert.That(data.InputShape, Is.EqualTo(new long[] { 4, 2 }));
        Assert.That(data.TargetType, Is.EqualTo(ScalarType.Int64));
        using var batch = data.GetBatch([5, 2]);
        Assert.That(batch.Inputs.dtype, Is.EqualTo(ScalarType.Float32));
        Assert.That(batch.Inputs[0, 3, 1].item<float>(), Is.EqualTo(Expected(5, 3, 1)));
        Assert.That(batch.Inputs[1, 0, 0].item<float>(), Is.EqualTo(Expected(2, 0, 0)));
        Assert.That(batch.Targets.data<long>().ToArray(), Is.EqualTo(new long[] { 2, 2 }));
    }

    [Test]
    public void Int32_tokens_become_int64_and_one_value_per_sample_becomes_a_column()
    {
        using var data = SequenceDataset.FromNpy(File("tokens_i4.npy"), File("values_f4.npy"), File("lengths_i8.npy"));
        Assert.That(data.TargetShape, Is.EqualTo(new long[] { 1 }));
        Assert.That(data.HasLengths);
        using var batch = data.GetBatch([1]);
        Assert.That(batch.Inputs.dtype, Is.EqualTo(ScalarType.Int64));
        Assert.That(batch.Inputs.data<long>().ToArray(), Is.EqualTo(new long[] { 6, 7, 1, 2, 3 }));     // (5..9) % 7 + 1
        Assert.That(batch.Targets.data<float>().ToArray(), Is.EqualTo(new[] { 0.25f }));
        Assert.That(batch.Lengths!.data<long>().ToArray(), Is.EqualTo(new long[] { 3 }));
    }

    [Test]
    public void Training_from_the_files_matches_training_from_the_same_arrays()
    {
        var (x, npyInputs) = SmallInputs();
        var options = new TrainerOptions { Loss = new CrossEntropyLoss(), Epochs = 3, BatchSize = 4, Seed = 2 };

        History Train(SequenceDataset data)
        {
            using var model = new SequenceModel(new SequenceModelOptions { Seed = 7 }, Input.Sequence(2), new Gru(4), new Dense(3));
            return Trainer.Fit(model, data, null, options);
        }
        using var fromFiles = SequenceDataset.FromNpy(npyInputs, File("labels_i8.npy"));
        using var fromArrays = SequenceDataset.FromArrays(x, new long[] { 0, 1, 2, 0, 1, 2 });
        Assert.That(Train(fromFiles)["loss"], Is.EqualTo(Train(fromArrays)["loss"]));
    }

    [Test]
    public void A_shuffled_batch_read_from_the_file_is_bit_identical_to_the_rows_in_the_mapping()
    {
        var x = new float[40, 3, 2];
        var random = new Random(3);
        for (var r = 0; r < 40; r++) for (var t = 0; t < 3; t++) for (var f = 0; f < 2; f++) x[r, t, f] = (float)(random.NextDouble() * 2 - 1);
        var path = Path.Combine(Folder, "x.npy");
        WriteNpy(path, x);
        var labels = Path.Combine(Folder, "y.npy");
        WriteLabels(labels, 40);
        using var data = SequenceDataset.FromNpy(path, labels);
        long[] rows = [39, 0, 17, 17, 5, 38, 2, 11, 30, 21, 8, 1, 24, 33, 12, 6];     // 16 rows: read in parallel, one repeated

        data.ReadAhead(rows);
        using var batch = data.GetBatch(rows);

        for (var i = 0; i < rows.Length; i++)
            for (var t = 0; t < 3; t++)
                for (var f = 0; f < 2; f++)
                    Assert.That(BitConverter.SingleToInt32Bits(batch.Inputs[i, t, f].item<float>()), Is.EqualTo(BitConverter.SingleToInt32Bits(x[rows[i], t, f])), $"row {rows[i]}, step {t}, feature {f}");
        Assert.That(batch.Targets.data<long>().ToArray(), Is.EqualTo(rows.Select(r => r % 3).ToArray()));
    }

    [Test]
    public void A_file_truncated_after_it_was_opened_is_refused_naming_the_file_and_row()
    {
        var x = new float[10, 3, 2];
        var path = Path.Combine(Folder, "x.npy");
        WriteNpy(path, x);
        var labels = Path.Combine(Folder, "y.npy");
        WriteLabels(labels, 10);
        using var data = SequenceDataset.FromNpy(path, labels);
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write)) file.SetLength(file.Length - 4 * 3 * 2 * 4);   // rows 6–9 gone

        var error = Assert.Throws<DataFileException>(() => data.GetBatch([2, 7]))!;

        Assert.That(error.Path, Is.EqualTo(path));
        Assert.That(error.Row, Is.EqualTo(7));
    }

    [Test]
    public void Predict_on_a_file_dataset_gives_the_outputs_of_the_same_arrays_in_row_order()
    {
        var (x, path) = SmallInputs();
        using var data = SequenceDataset.FromNpy(path, File("labels_i8.npy"));
        using var model = new SequenceModel(new SequenceModelOptions { Seed = 7 }, Input.Sequence(2), new Lstm(4), new Dense(3));

        using var fromFile = Trainer.Predict(model, data, batchSize: 4);          // batches of 4 and 2 rows
        var fromArray = model.Predict(x);

        Assert.That(fromFile.shape, Is.EqualTo(new long[] { 6, 3 }));
        for (var r = 0; r < 6; r++)
            for (var c = 0; c < 3; c++)
                Assert.That(fromFile[r, c].item<float>(), Is.EqualTo(fromArray[r, c]).Within(1e-6f), $"row {r}, output {c}");
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Predict(model, data, batchSize: 0))!.ParamName, Is.EqualTo("batchSize"));
    }

    [Test]
    public void The_doctor_diagnoses_a_run_on_a_file_dataset_with_the_numbers_of_the_same_arrays()
    {
        var x = new float[40, 3, 2];
        var random = new Random(6);
        for (var r = 0; r < 40; r++) for (var t = 0; t < 3; t++) for (var f = 0; f < 2; f++) x[r, t, f] = (float)random.NextDouble();
        var path = Path.Combine(Folder, "x.npy");
        WriteNpy(path, x);
        var labels = Path.Combine(Folder, "y.npy");
        WriteLabels(labels, 40);
        var options = new TrainerOptions { Loss = new CrossEntropyLoss(), Epochs = 2, BatchSize = 8, Seed = 2, Metrics = [new SequenceKit.Training.Metrics.Accuracy()] };
        var doctor = new SequenceKit.Diagnostics.DoctorOptions { ActiveProbes = false };

        SequenceKit.Diagnostics.DiagnosisReport Diagnose(SequenceDataset data)
        {
            using var model = new SequenceModel(new SequenceModelOptions { Seed = 7 }, Input.Sequence(2), new Gru(4), new Dense(3));
            var history = Trainer.Fit(model, data, null, options);
            return SequenceKit.Diagnostics.TrainingDoctor.Diagnose(model, data, null, history, options, doctor);
        }
        using var fromFile = SequenceDataset.FromNpy(path, labels);
        using var fromArrays = SequenceDataset.FromArrays(x, Enumerable.Range(0, 40).Select(r => (long)(r % 3)).ToArray());

        var fileReport = Diagnose(fromFile);
        var arrayReport = Diagnose(fromArrays);

        Assert.That(arrayReport.Findings, Is.Not.Empty, "labels that do not follow from the inputs draw findings");
        Assert.That(fileReport.Findings.Select(f => (f.Code, f.Message)), Is.EqualTo(arrayReport.Findings.Select(f => (f.Code, f.Message))));
    }

    /// <summary>An int64 .npy file of labels row % 3, written by the format's rules.</summary>
    private static void WriteLabels(string path, int rows)
    {
        using var file = System.IO.File.Create(path);
        NpyFile.WriteHeader(file, "<i8", rows);
        for (long r = 0; r < rows; r++) file.Write(BitConverter.GetBytes(r % 3));
    }

    /// <summary>A float32 C-order .npy file of version 1.0, written by the format's rules (NumPy's own files are above).</summary>
    private static void WriteNpy(string path, float[,,] values)
    {
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({values.GetLength(0)}, {values.GetLength(1)}, {values.GetLength(2)}), }}";
        header = header.PadRight((header.Length + 11 + 63) / 64 * 64 - 11) + "\n";          // values start at a multiple of 64
        using var file = System.IO.File.Create(path);
        file.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        file.Write(BitConverter.GetBytes((ushort)header.Length));
        file.Write(System.Text.Encoding.ASCII.GetBytes(header));
        foreach (var v in values) file.Write(BitConverter.GetBytes(v));
    }

    [TestCase("fortran_f4.npy", "Fortran")]
    [TestCase("bigendian_f4.npy", "'>f4'")]
    [TestCase("uint8.npy", "'|u1'")]
    [TestCase("truncated_f4.npy", "needs 192 bytes of values, but the file holds 188")]
    public void A_file_that_cannot_be_used_is_refused_with_its_name_and_the_reason(string name, string reason)
    {
        var error = Assert.Throws<DataFileException>(() => SequenceDataset.FromNpy(File(name), File("labels_i8.npy")))!;
        Assert.That(error.Path, Is.EqualTo(File(name)));
        Assert.That(error.Message, Does.Contain(reason));
    }

    [Test]
    public void Files_that_are_not_npy_or_not_files_or_disagree_are_refused()
    {
        var text = Path.Combine(Folder, "data.npy");
        System.IO.File.WriteAllText(text, "time,value\n0,1\n");
        Assert.That(Assert.Throws<DataFileException>(() => SequenceDataset.FromNpy(text, File("labels_i8.npy")))!.Message, Does.Contain("not a NumPy .npy file"));
        Assert.Throws<DataFileException>(() => SequenceDataset.FromNpy(Folder, File("labels_i8.npy")));
        Assert.Throws<FileNotFoundException>(() => SequenceDataset.FromNpy(Path.Combine(Folder, "missing.npy"), File("labels_i8.npy")));
        Assert.That(Assert.Throws<ArgumentException>(() => SequenceDataset.FromNpy(File("sequences_f4.npy"), File("labels_5_rows.npy")))!.Message,
            Does.Contain("5 samples but inputs has 6"));
        Assert.That(Assert.Throws<DataFileException>(() => SequenceDataset.FromNpy(File("sequences_f4.npy"), File("labels_i8.npy"), File("values_f4.npy")))!.Message,
            Does.Contain("lengths must be one integer per sample"));
    }
}
