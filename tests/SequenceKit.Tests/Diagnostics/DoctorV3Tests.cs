using SequenceKit.Diagnostics;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Losses;
using SequenceKit.Training.Metrics;
using SequenceKit.Training.Optimizers;
using static SequenceKit.Tests.Training.TrainingData;

namespace SequenceKit.Tests.Diagnostics;

/// <summary>
/// The third doctor: verdicts that do not depend on machine load, the ranking rules, and the new checks (SK018 shifted
/// validation inputs, SK019 too few updates, SK020 token padding read as data, SK022 still learning), each on its case
/// and on a healthy twin.
/// </summary>
public class DoctorV3Tests
{
    [Test]
    public void The_same_stuck_run_gets_the_same_findings_in_the_same_order_on_a_busy_machine()
    {
        using var train = Dataset(400, 61);
        using var validation = Dataset(200, 62);
        using var model = Model();
        // Adam at 1e-6, 1/1000 of its usual rate: the run stays at chance, and a rate arm learns.
        var options = Options(epochs: 3) with { Optimizer = new Adam { LearningRate = 1e-6 } };
        var history = Trainer.Fit(model, train, validation, options);
        var quiet = TrainingDoctor.Diagnose(model, train, validation, history, options);

        // Every core kept busy by spinning threads while the same diagnosis runs again.
        using var stop = new CancellationTokenSource();
        var spinners = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => new Thread(() =>
        {
            var x = 0L;
            while (!stop.IsCancellationRequested) x++;
        }) { IsBackground = true }).ToList();
        spinners.ForEach(t => t.Start());
        DiagnosisReport busy;
        try { busy = TrainingDoctor.Diagnose(model, train, validation, history, options); }
        finally
        {
            stop.Cancel();
            spinners.ForEach(t => t.Join());
        }
        Assert.That(quiet.Work, Is.GreaterThan(0), "the stuck run got experiments");
        Assert.That(quiet.Findings.Any(f => f.ConfirmedByExperiment), Is.True, quiet.ToString() + "\n" + string.Join("\n", quiet.Notes));
        Assert.That(busy.Findings.Select(f => (f.Code, f.Severity, f.Confidence, f.Message)), Is.EqualTo(quiet.Findings.Select(f => (f.Code, f.Severity, f.Confidence, f.Message))),
            $"quiet:\n{quiet}\n\nbusy:\n{busy}");
        Assert.That(busy.Work, Is.EqualTo(quiet.Work), "the same work");
        Assert.That(busy.Notes, Is.EqualTo(quiet.Notes));
    }

    [Test]
    public void A_symptom_never_ranks_above_a_cause_and_nothing_tried_never_above_standing_evidence()
    {
        Finding Make(string code, Severity severity, double confidence) => new(code, code, severity, confidence, "m", new Dictionary<string, double>(), "f");
        var scale = new Checks.Result(Make("SK003", Severity.Warning, 0.3), false, new Treatment("SK003", "the inputs standardized", "f") { StandardizeInputs = true }, Fallback: true);
        var dropout = new Checks.Result(Make("SK016", Severity.Info, 0.15), false, new Treatment("SK016", "dropout removed", "f"));
        var active = new ActiveResult();
        active.Findings.Add(Make("SK011", Severity.Warning, 0.3));
        var notes = new List<string>();
        var ranked = Ranking.Rank([scale, dropout], active, Make("SK001", Severity.Critical, 0.9), unhealthy: true, activeProbes: true, notes);
        Assert.That(ranked.Select(f => f.Code), Is.EqualTo(new[] { "SK003", "SK001", "SK016" }), "the standing cause first, the symptom next (even at 0.9), Info last");
        Assert.That(notes, Has.Some.StartsWith("no experiment confirmed a cause"), "SK011 gives way to the standing evidence");

        // Without standing evidence, SK011 stays, above the symptom and below any cause at Warning.
        var weak = scale with { Fallback = false };
        var fact = new Checks.Result(Make("SK007", Severity.Critical, 0.1), true);
        ranked = Ranking.Rank([weak, fact], active, Make("SK001", Severity.Critical, 0.9), unhealthy: true, activeProbes: true, []);
        Assert.That(ranked.Select(f => f.Code), Is.EqualTo(new[] { "SK007", "SK011", "SK001", "SK003" }));
        Assert.That(ranked[^1].Severity, Is.EqualTo(Severity.Info), "an unconfirmed candidate without measured evidence is demoted");

        // A confirmed cause stands at the experiment's confidence; the unconfirmed fallback gives way to it.
        var confirmed = new ActiveResult();
        confirmed.Confirmed[dropout.Treatment!] = Make("SK016", Severity.Critical, 0.6) with { ConfirmedByExperiment = true };
        ranked = Ranking.Rank([scale, dropout], confirmed, Make("SK001", Severity.Critical, 0.25), unhealthy: true, activeProbes: true, []);
        Assert.That(ranked.Select(f => (f.Code, f.Severity)), Is.EqualTo(new[] { ("SK016", Severity.Critical), ("SK001", Severity.Critical), ("SK003", Severity.Info) }));
    }

    [Test]
    public void Validation_inputs_preprocessed_differently_are_named_with_both_sets_numbers()
    {
        var (inputs, labels) = SignTask(400, 63);
        var (validInputs, validLabels) = SignTask(200, 64);
        using var train = SequenceDataset.FromArrays(inputs, labels);
        using var model = Model();
        var options = Options(epochs: 5);
        // The twin: the validation set built the same way.
        using (var same = SequenceDataset.FromArrays(validInputs, validLabels))
        {
            var history = Trainer.Fit(model, train, same, options);
            var report = TrainingDoctor.Diagnose(model, train, same, history, options, new DoctorOptions { ActiveProbes = false });
            Assert.That(report.Findings.Select(f => f.Code), Has.None.EqualTo("SK018"), report.ToString());
            Assert.That(history["val_accuracy"][^1], Is.GreaterThan(0.8), "the model learned the task");
        }
        // The same validation rows with feature 0 in other units (×40, +25): the trained model's validation score collapses.
        var shifted = (float[,,])validInputs.Clone();
        for (var i = 0; i < shifted.GetLength(0); i++)
            for (var t = 0; t < shifted.GetLength(1); t++) shifted[i, t, 0] = shifted[i, t, 0] * 40 + 25;
        using var other = SequenceDataset.FromArrays(shifted, validLabels);
        var shiftedHistory = Trainer.Fit(model, train, other, options with { Epochs = 1 });
        var shiftedReport = TrainingDoctor.Diagnose(model, train, other, shiftedHistory, options, new DoctorOptions { ActiveProbes = false });
        var finding = shiftedReport.Findings.Single(f => f.Code == "SK018");
        Assert.That(finding.Severity, Is.EqualTo(Severity.Warning), shiftedReport.ToString());
        Assert.That(finding.ConfirmedByExperiment, Is.True, "mapping the validation rows onto the training statistics restores the score");
        Assert.That(finding.Evidence["feature 0 validation mean"], Is.EqualTo(25).Within(3), "the validation set's own mean, from the data: 40 × (about 0) + 25");
        Assert.That(finding.Evidence["feature 0 training std"], Is.EqualTo(1 / Math.Sqrt(3)).Within(0.05), "uniform in [-1, 1]: 1/√3");
        Assert.That(finding.Evidence["validation score mapped onto the training statistics"], Is.GreaterThan(finding.Evidence["validation score as given"] + 0.2));
        Assert.That(finding.Fix, Does.Contain("same fitted scaler"));
    }

    [Test]
    public void Too_few_optimizer_updates_are_counted_and_the_fix_names_the_batch_size()
    {
        using var train = Dataset(400, 65);
        using var validation = Dataset(200, 66);
        using var model = Model();
        // All 400 rows in one batch, 4 epochs: 4 updates in the whole run.
        var options = Options(epochs: 4) with { BatchSize = 400 };
        var history = Trainer.Fit(model, train, validation, options);
        var report = TrainingDoctor.Diagnose(model, train, validation, history, options, new DoctorOptions { ActiveProbes = false });
        var finding = report.Findings.Single(f => f.Code == "SK019");
        Assert.That(finding.Evidence["updates per epoch"], Is.EqualTo(1));
        Assert.That(finding.Evidence["updates in the run"], Is.EqualTo(4), "1 batch × 4 epochs");
        Assert.That(finding.Fix, Does.Contain("BatchSize = 32").And.Contain("13 updates per epoch"), "⌈400 / 32⌉ = 13");

        // The twin: batches of 16 give 25 updates per epoch, 100 in the run: not too few (the bar is 30).
        var twinOptions = Options(epochs: 4);
        using var twin = Model();
        var twinHistory = Trainer.Fit(twin, train, validation, twinOptions);
        var twinReport = TrainingDoctor.Diagnose(twin, train, validation, twinHistory, twinOptions, new DoctorOptions { ActiveProbes = false });
        Assert.That(twinReport.Findings.Select(f => f.Code), Has.None.EqualTo("SK019"), twinReport.ToString());

        // Batches of 100: 4 updates per epoch, 16 in the run: still too few, but the batch is not the lever (a quarter
        // of the rows), so the finding is Info advice to train for more epochs, not a cause.
        var epochsOptions = Options(epochs: 4) with { BatchSize = 100 };
        using var third = Model();
        var epochsHistory = Trainer.Fit(third, train, validation, epochsOptions);
        var epochsReport = TrainingDoctor.Diagnose(third, train, validation, epochsHistory, epochsOptions, new DoctorOptions { ActiveProbes = false });
        var advice = epochsReport.Findings.Single(f => f.Code == "SK019");
        Assert.That(advice.Severity, Is.EqualTo(Severity.Info), epochsReport.ToString());
        Assert.That(advice.Evidence["updates in the run"], Is.EqualTo(16), "⌈400 / 100⌉ × 4 epochs");
        Assert.That(advice.Fix, Does.Contain("Epochs = 30"), "⌈4 × 30 / 4⌉ epochs");
    }

    [Test]
    public void Too_few_updates_are_confirmed_by_the_unchanged_setup_learning_with_more_of_them()
    {
        using var train = Dataset(400, 67);
        using var validation = Dataset(200, 68);
        using var model = Model();
        // Plain SGD at a usual rate, all 400 rows in one batch, 2 epochs: 2 updates, and the model has not moved.
        var options = Options(epochs: 2) with { BatchSize = 400, Optimizer = new Sgd { LearningRate = 0.05, Momentum = 0.9 } };
        var history = Trainer.Fit(model, train, validation, options);
        var report = TrainingDoctor.Diagnose(model, train, validation, history, options);
        var finding = report.Findings.Single(f => f.Code == "SK019");
        Assert.That(finding.ConfirmedByExperiment, Is.True, report + "\n" + string.Join("\n", report.Notes));
        Assert.That(finding.Severity, Is.AtLeast(Severity.Warning));
        Assert.That(finding.Evidence["experiment updates"], Is.GreaterThan(finding.Evidence["updates in the run"]), "the control had more updates than the run");
        Assert.That(finding.Evidence["updates in the run"], Is.EqualTo(2));

        // The twin: the same setup in batches of 16 (25 updates per epoch, 100 in the run) raises no SK019.
        var twinOptions = options with { BatchSize = 16 };
        using var twin = Model();
        var twinHistory = Trainer.Fit(twin, train, validation, twinOptions);
        var twinReport = TrainingDoctor.Diagnose(twin, train, validation, twinHistory, twinOptions);
        Assert.That(twinReport.Findings.Select(f => f.Code), Has.None.EqualTo("SK019"), twinReport.ToString());
    }

    /// <summary>
    /// Six classes: the class is the feature (of six) whose values are raised by 1.5 over 8 steps. No single direction
    /// orders the classes, so one recurrent unit cannot separate them and a wider layer can.
    /// </summary>
    private static SequenceDataset WhichFeature(int samples, int seed)
    {
        var random = new Random(seed);
        var inputs = new float[samples, 8, 6];
        var labels = new long[samples];
        for (var i = 0; i < samples; i++)
        {
            labels[i] = random.Next(6);
            for (var t = 0; t < 8; t++)
                for (var f = 0; f < 6; f++)
                    inputs[i, t, f] = (float)(random.NextDouble() * 2 - 1 + (f == labels[i] ? 1.5 : 0));
        }
        return SequenceDataset.FromArrays(inputs, labels);
    }

    [Test]
    public void Too_little_capacity_is_confirmed_by_a_wider_copy_and_a_wide_enough_model_gets_no_such_finding()
    {
        using var train = WhichFeature(600, 71);
        using var validation = WhichFeature(300, 72);
        SequenceModel Build(int units) => new(new SequenceModelOptions { Seed = 5 }, Input.Sequence(6), new Lstm(units), new Dense(6));
        var options = Options(epochs: 8) with { Optimizer = new Adam { LearningRate = 0.01 }, BatchSize = 32 };
        using var narrow = Build(1);
        var history = Trainer.Fit(narrow, train, validation, options);
        var report = TrainingDoctor.Diagnose(narrow, train, validation, history, options);
        var finding = report.Findings.SingleOrDefault(f => f.Code == "SK015");
        Assert.That(finding?.ConfirmedByExperiment, Is.True, report + "\n" + string.Join("\n", report.Notes));
        // A run that is behind is a Warning, or Info with the still-learning sentence while its loss still falls.
        Assert.That(finding!.Severity >= Severity.Warning || finding.Message.Contains("still learning", StringComparison.Ordinal), Is.True, finding.ToString());
        Assert.That(finding.Message, Does.Contain("32 units per recurrent layer (now 1)"));

        // The twin: the same task with 32 units learns, and no capacity finding is raised.
        using var wide = Build(32);
        var wideHistory = Trainer.Fit(wide, train, validation, options);
        var wideReport = TrainingDoctor.Diagnose(wide, train, validation, wideHistory, options);
        Assert.That(wideReport.Findings.Where(f => f.Severity >= Severity.Warning).Select(f => f.Code), Has.None.EqualTo("SK015"), wideReport.ToString());
    }

    /// <summary>Token rows of 3–8 real tokens (2..19); label 1 when token 7 occurs. Padded to 40 steps at <paramref name="side"/>.</summary>
    private static SequenceDataset Tokens(int samples, int seed, PaddingSide side, bool lengths)
    {
        var random = new Random(seed);
        var rows = Enumerable.Range(0, samples).Select(_ => Enumerable.Range(0, random.Next(3, 9)).Select(_ => (long)random.Next(2, 20)).ToArray()).ToList();
        var labels = rows.Select(r => r.Contains(7) ? 1L : 0L).ToArray();
        var padded = PadSequences.Tokens(rows, new PaddingOptions { MaxLength = 40, Padding = side });
        return lengths ? SequenceDataset.FromArrays(padded.Values, labels, padded.Lengths) : SequenceDataset.FromArrays(padded.Values, labels);
    }

    private static SequenceModel TokenModel(bool maskZero) =>
        new(new SequenceModelOptions { Seed = 3 }, new Embedding(20, 8, new EmbeddingOptions { MaskZero = maskZero }), new Gru(8), new Dense(2));

    [TestCase(PaddingSide.Pre, true, true, TestName = "Front padding with lengths is padding the model reads")]
    [TestCase(PaddingSide.Post, false, false, TestName = "Long end padding without lengths or masking is padding the model reads")]
    [TestCase(PaddingSide.Post, true, true, TestName = "End padding with lengths is read correctly")]
    [TestCase(PaddingSide.Post, false, true, TestName = "End padding under MaskZero is read correctly")]
    [TestCase(PaddingSide.Pre, false, false, TestName = "Front padding without lengths ends on a real token")]
    public void Token_padding_is_checked_against_how_lengths_and_masks_are_given(PaddingSide side, bool lengths, bool maskZero)
    {
        using var train = Tokens(300, 67, side, lengths);
        using var model = TokenModel(maskZero);
        var options = Options(epochs: 1);
        var history = Trainer.Fit(model, train, null, options);
        var report = TrainingDoctor.Diagnose(model, train, null, history, options, new DoctorOptions { ActiveProbes = false });
        var expected = (side == PaddingSide.Pre && lengths) || (side == PaddingSide.Post && !lengths && !maskZero);
        var finding = report.Findings.SingleOrDefault(f => f.Code == "SK020");
        if (!expected)
        {
            Assert.That(finding, Is.Null, report.ToString());
            return;
        }
        Assert.That(finding, Is.Not.Null, report.ToString());
        Assert.That(finding!.Fix, Does.Contain("Pad at the end"));
        // Rows of 3–8 real tokens padded to 40: every row is padded, by 32–37 steps.
        var key = side == PaddingSide.Pre ? "mean leading padding" : "mean trailing padding";
        Assert.That(finding.Evidence[key], Is.InRange(32, 37));
    }

    [Test]
    public void A_run_still_learning_at_its_end_is_advised_to_train_longer_and_a_flat_one_is_not()
    {
        using var train = Dataset(100, 68);
        using var model = Model();
        History Of(params double[] losses)
        {
            var history = new History();
            for (var e = 0; e < losses.Length; e++)
                history.Add(new EpochRecord(e, new Dictionary<string, double> { ["loss"] = losses[e], ["accuracy"] = 0.9 }, 0.02, TimeSpan.FromSeconds(1)));
            return history;
        }
        var options = Options();
        var falling = TrainingDoctor.Diagnose(model, train, null, Of(1.0, 0.9, 0.8, 0.72, 0.65, 0.6), options, new DoctorOptions { ActiveProbes = false });
        var finding = falling.Findings.Single(f => f.Code == "SK022");
        Assert.That(finding.Severity, Is.EqualTo(Severity.Info), "advice, not a fault");
        Assert.That(finding.Evidence[Finding.SuggestedEpochs], Is.EqualTo(12), "twice the 6 epochs run");
        var flat = TrainingDoctor.Diagnose(model, train, null, Of(1.0, 0.7, 0.69, 0.71, 0.70, 0.695), options, new DoctorOptions { ActiveProbes = false });
        Assert.That(flat.Findings.Select(f => f.Code), Has.None.EqualTo("SK022"), flat.ToString());
    }

    [Test]
    public void Batches_sorted_by_label_without_shuffling_are_counted_in_label_runs_and_shuffled_ones_are_not()
    {
        var (inputs, labels) = SignTask(200, 69);
        var order = Enumerable.Range(0, 200).OrderBy(i => labels[i]).ToArray();          // every 0, then every 1
        var sortedInputs = new float[200, 6, 2];
        for (var i = 0; i < 200; i++)
            for (var t = 0; t < 6; t++)
                for (var f = 0; f < 2; f++) sortedInputs[i, t, f] = inputs[order[i], t, f];
        var sortedLabels = order.Select(i => labels[i]).ToArray();
        using var train = SequenceDataset.FromArrays(sortedInputs, sortedLabels);
        using var model = Model();
        var options = Options(epochs: 2) with { Shuffle = false };
        var history = Trainer.Fit(model, train, null, options);
        var report = TrainingDoctor.Diagnose(model, train, null, history, options, new DoctorOptions { ActiveProbes = false });
        var finding = report.Findings.Single(f => f.Code == "SK014");
        Assert.That(finding.Evidence["label runs"], Is.EqualTo(2), "one run of zeros, one of ones");
        var p = sortedLabels.Count(l => l == 1) / 200.0;
        Assert.That(finding.Evidence["label runs in a random order"], Is.EqualTo(1 + 199 * (1 - p * p - (1 - p) * (1 - p))).Within(1e-9), "1 + (n − 1)(1 − Σ p²)");
        Assert.That(finding.Fix, Does.Contain("Shuffle = true"));

        // The twin: the same rows, shuffled by the trainer.
        var shuffled = TrainingDoctor.Diagnose(model, train, null, history, options with { Shuffle = true }, new DoctorOptions { ActiveProbes = false });
        Assert.That(shuffled.Findings.Select(f => f.Code), Has.None.EqualTo("SK014"), shuffled.ToString());
    }

    [Test]
    public void Every_check_has_a_catalog_entry_and_every_catalog_code_a_row_in_the_docs()
    {
        Assert.That(Checks.All.Select(c => c.Code), Is.SubsetOf(Catalog.Codes), "a check whose code has no title and fix");
        var folder = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "docs", "diagnostics.md"))) folder = folder.Parent;
        Assert.That(folder, Is.Not.Null, "docs/diagnostics.md above the test folder");
        var docs = File.ReadAllText(Path.Combine(folder!.FullName, "docs", "diagnostics.md"));
        foreach (var code in Catalog.Codes)
            Assert.That(docs, Does.Contain($"| {code} |"), $"{code} has no row in the Findings table of docs/diagnostics.md");
    }
}
