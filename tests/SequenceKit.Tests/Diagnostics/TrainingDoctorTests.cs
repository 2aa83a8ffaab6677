using System.Text.Json.Nodes;
using SequenceKit.Diagnostics;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Losses;
using static SequenceKit.Tests.Training.TrainingData;

namespace SequenceKit.Tests.Diagnostics;

public class TrainingDoctorTests
{
    /// <summary>Labels independent of the inputs, 70/30: the model can only predict the majority class.</summary>
    private static (SequenceDataset Train, SequenceDataset Validation) NoSignal()
    {
        var random = new Random(4);
        SequenceDataset Make(int n)
        {
            var (inputs, _) = SignTask(n, random.Next());
            return SequenceDataset.FromArrays(inputs, Enumerable.Range(0, n).Select(_ => random.NextDouble() < 0.7 ? 0L : 1L).ToArray());
        }
        return (Make(200), Make(100));
    }

    [Test]
    public void On_a_validation_set_ordered_by_class_every_number_agrees_with_the_history()
    {
        // The v1 doctor read the first rows only: on a validation set sorted by label it saw one class and reported
        // "accuracy 0.0000 equals the share of class 3 (0.0000)" against a history of 0.2155.
        var (train, unordered) = NoSignal();
        using (train)
        using (unordered)
        {
            var labels = unordered.Targets.data<long>().ToArray();
            using var validation = unordered.Subset(Enumerable.Range(0, labels.Length).OrderByDescending(i => labels[i]).ToArray());   // class 1 first
            using var model = Model();
            var history = Trainer.Fit(model, train, validation, Options(epochs: 6) with { Optimizer = new SequenceKit.Training.Optimizers.Adam { LearningRate = 1e-3 } });
            var report = TrainingDoctor.Diagnose(model, train, validation, history, Options());
            var finding = report.Findings.Single(f => f.Code == "SK001");
            var recorded = history.Epochs[^1].Metrics["val_accuracy"];
            Assert.That(finding.Evidence["val_accuracy"], Is.EqualTo(recorded).Within(1e-9), "quoted under the history's own name, with its value");
            Assert.That(finding.Evidence["val_loss"], Is.EqualTo(history.Epochs[^1].Metrics["val_loss"]).Within(1e-6));
            var zeros = labels.Count(l => l == 0) / (double)labels.Length;
            Assert.That(finding.Evidence["majority share"], Is.EqualTo(Math.Max(zeros, 1 - zeros)).Within(1e-9), "the share over the whole set");
            Assert.That(finding.Evidence["evaluated items"], Is.EqualTo(labels.Length));
        }
    }

    [Test]
    public void A_large_evaluated_set_is_sampled_stratified_and_the_report_says_so()
    {
        var (train, validation) = NoSignal();
        using (train)
        using (validation)
        {
            using var model = Model();
            var history = Trainer.Fit(model, train, validation, Options(epochs: 2));
            var report = TrainingDoctor.Diagnose(model, train, validation, history, Options(), new DoctorOptions { MaxEvaluatedRows = 40, ActiveProbes = false });
            Assert.That(report.Notes, Has.Some.Contains("on 40 evaluated items"));
            if (report.Findings.SingleOrDefault(f => f.Code == "SK001") is { } finding)
            {
                Assert.That(finding.Message, Does.Contain("sample of 40 of the 100 validation rows"));
                Assert.That(finding.Evidence.Keys, Has.None.EqualTo("val_accuracy"), "a sample's accuracy is not the history's number");
            }
        }
    }

    [Test]
    public void Labels_shifted_one_row_against_their_inputs_get_the_label_verdict()
    {
        SequenceDataset Shifted(int n, int seed)
        {
            var (inputs, labels) = SignTask(n, seed);
            var shifted = labels.Skip(1).Append(labels[0]).ToArray();              // each row gets the next row's label
            return SequenceDataset.FromArrays(inputs, shifted);
        }
        using var train = Shifted(400, 21);
        using var validation = Shifted(200, 22);
        using var model = Model();
        var history = Trainer.Fit(model, train, validation, Options(epochs: 6));
        var report = TrainingDoctor.Diagnose(model, train, validation, history, Options(), new DoctorOptions());
        Assert.That(report.Top?.Code, Is.EqualTo("SK013"), report.ToString());
        Assert.That(report.Top!.Severity, Is.EqualTo(Severity.Critical));
        Assert.That(report.Top.Evidence["baseline accuracy"], Is.LessThan(0.65), "the baseline learns nothing either");
        Assert.That(report.Top.Evidence["baseline majority share"], Is.InRange(0.3, 0.7));

        // The same task with aligned labels: the baseline learns it, so there is no label verdict.
        using var alignedTrain = Dataset(400, 21);
        using var alignedValidation = Dataset(200, 22);
        using var aligned = Model();
        var alignedHistory = Trainer.Fit(aligned, alignedTrain, alignedValidation, Options(epochs: 6));
        var alignedReport = TrainingDoctor.Diagnose(aligned, alignedTrain, alignedValidation, alignedHistory, Options());
        Assert.That(alignedReport.Findings.Select(f => f.Code), Has.None.EqualTo("SK013"), alignedReport.ToString());
        Assert.That(alignedReport.Notes, Has.Some.Contains("no experiments run"), "a healthy run gets no probes");
    }

    [Test]
    public void Fit_with_the_doctor_returns_within_half_a_second_of_cancellation()
    {
        var (train, validation) = NoSignal();
        using (train)
        using (validation)
        {
            using var model = Model();
            using var cancellation = new CancellationTokenSource();
            var cancelledAt = new System.Diagnostics.Stopwatch();
            var reached = false;
            // Cancel as the doctor starts training its first copy: the token must be seen between steps.
            var progress = new SynchronousProgress<DoctorProgress>(p =>
            {
                if (p.Stage == "control" && !reached)
                {
                    reached = true;
                    cancelledAt.Start();
                    cancellation.Cancel();
                }
            });
            var doctor = new DoctorCallback(new DoctorCallbackOptions { Patience = 1, Doctor = new DoctorOptions { Progress = progress } });
            var history = Trainer.Fit(model, train, validation, Options(epochs: 30) with { Optimizer = new SequenceKit.Training.Optimizers.Adam { LearningRate = 1e-4 }, Callbacks = [doctor] }, cancellation.Token);
            cancelledAt.Stop();
            Assert.That(reached, Is.True, "the doctor reached its experiments");
            Assert.That(cancelledAt.Elapsed, Is.LessThan(TimeSpan.FromSeconds(0.5)), $"Fit returned {cancelledAt.Elapsed.TotalSeconds:F2} s after the token fired");
            Assert.That(history.StopReason, Is.EqualTo(StopReason.Cancelled));
            Assert.That(doctor.LastReport!.Notes, Has.Some.Contains("cancelled"));
        }
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    [Test]
    public void A_loss_that_still_falls_at_the_end_is_still_improving_and_a_flat_or_noisy_one_is_not()
    {
        using var train = Dataset(64, 1);
        using var model = Model();
        static History Of(params double[] losses)
        {
            var history = new History();
            for (var i = 0; i < losses.Length; i++)
                history.Add(new EpochRecord(i, new Dictionary<string, double> { ["loss"] = losses[i], ["val_loss"] = losses[i] }, 0.01, TimeSpan.FromSeconds(1)));
            return history;
        }
        bool Improving(History history)
        {
            using var context = new DiagnosisContext(model, train, train, history, Options(), new DoctorOptions(), default);
            return TrainingDoctor.StillImproving(context).Improving;
        }
        Assert.That(Improving(Of(1.0, 0.9, 0.8, 0.72, 0.65, 0.6)), Is.True, "a steady fall: new best 0.6 against 0.72, noise about 0.01");
        Assert.That(Improving(Of(1.0, 0.7, 0.69, 0.71, 0.70, 0.695)), Is.False, "flat: no new best in the last two epochs");
        Assert.That(Improving(Of(2.0, 1.5, 1.8, 1.4, 1.9, 1.3)), Is.False, "a new best of 0.1 inside a noise of about 0.45");
        Assert.That(Improving(Of(1.0, 0.99999, 0.99998, 0.99997, 0.99996, 0.99995)), Is.False, "a fall below 2%");
        Assert.That(Improving(Of(1.0, 0.9, 0.8)), Is.False, "too short to tell");
    }

    [Test]
    public void The_experiments_spend_work_not_time_and_a_hard_time_limit_leaves_them_undecided()
    {
        var (train, validation) = NoSignal();
        using (train)
        using (validation)
        {
            using var model = Model();
            var history = Trainer.Fit(model, train, validation, Options(epochs: 4) with { Optimizer = new SequenceKit.Training.Optimizers.Adam { LearningRate = 1e-4 } });
            // A small work budget: the race stops where the budget ends, whatever the machine's speed, and says so.
            const long work = 100_000;                                        // sequences of 6 steps: 16,667 rows
            var report = TrainingDoctor.Diagnose(model, train, validation, history, Options(), new DoctorOptions { WorkBudget = work });
            Assert.That(report.WorkBudget, Is.EqualTo(work));
            Assert.That(report.Work, Is.GreaterThan(0).And.LessThanOrEqualTo(work), "the stuck run got experiments within the work budget");
            Assert.That(report.ToString(), Does.Contain($"work {report.Work:N0} of {work:N0} sequence steps"));
            Assert.That(report.Work % 6, Is.Zero, "every step counts its rows × 6 time steps");

            // A time limit far below what the experiments need: no experiment finding, and a note that says why.
            var limited = TrainingDoctor.Diagnose(model, train, validation, history, Options(), new DoctorOptions { TimeLimit = TimeSpan.FromMilliseconds(1) });
            Assert.That(limited.Notes, Has.Some.StartsWith("not decided in the time allowed"), string.Join("\n", limited.Notes));
            Assert.That(limited.Findings.Select(f => f.Code), Has.None.EqualTo("SK011").And.None.EqualTo("SK013"), "a verdict that needs the experiments is not given");
            Assert.That(limited.Findings.Where(f => f.Experiment is not null), Is.Empty, "no experiment is quoted");
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new DoctorOptions { TimeLimit = TimeSpan.Zero }.Validate());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new DoctorOptions { WorkBudget = 0 }.Validate());
        Assert.That(e!.ParamName, Is.EqualTo("WorkBudget"));
        Assert.That(e.Message, Does.Contain("got 0"));
    }

    [Test]
    public void A_cancelled_diagnosis_keeps_the_facts_it_found_and_says_it_was_cancelled()
    {
        using var train = Dataset(64, 1);
        using var model = Model();
        var history = new History();
        history.Add(new EpochRecord(0, new Dictionary<string, double> { ["loss"] = 0.7, ["accuracy"] = 0.5 }, 0.02, TimeSpan.FromSeconds(1)));
        history.AddEvent(new SkippedStep(0, 3, double.PositiveInfinity));
        using var cancelled = new CancellationTokenSource();
        // Cancelled once the plain checks are done, as the baseline starts: the checks' facts must survive.
        var progress = new SynchronousProgress<DoctorProgress>(p => { if (p.Stage == "baseline") cancelled.Cancel(); });
        var report = TrainingDoctor.Diagnose(model, train, null, history, Options(), new DoctorOptions { Progress = progress }, cancellationToken: cancelled.Token);
        Assert.That(cancelled.IsCancellationRequested, Is.True);
        Assert.That(report.Notes, Has.Some.Contains("cancelled"));
        Assert.That(report.Findings.Select(f => f.Code), Does.Contain("SK005"), "the skipped step found before cancellation is kept");
        Assert.That(report.Notes, Has.None.StartsWith("experiments:"), "no experiment starts after cancellation");
    }

    [Test]
    public void Few_experiment_steps_still_run_the_experiments()
    {
        var (train, validation) = NoSignal();
        using (train)
        using (validation)
        {
            using var model = Model();
            var history = Trainer.Fit(model, train, validation, Options(epochs: 3) with { Optimizer = new SequenceKit.Training.Optimizers.Adam { LearningRate = 1e-4 } });
            var report = TrainingDoctor.Diagnose(model, train, validation, history, Options(), new DoctorOptions { ExperimentSteps = 10 });
            Assert.That(report.Notes, Has.Some.StartsWith("experiments (a race in rungs of 10 steps"), string.Join("\n", report.Notes));
            Assert.That(report.Notes, Has.None.Contains("could not run"));
        }
    }

    [Test]
    public void Skipped_steps_are_read_from_typed_events_not_from_their_wording()
    {
        using var train = Dataset(64, 1);
        using var model = Model();
        var history = new History();
        history.Add(new EpochRecord(0, new Dictionary<string, double> { ["loss"] = 0.7, ["accuracy"] = 0.5 }, 0.02, TimeSpan.FromSeconds(1)));
        history.AddEvent(new SkippedStep(0, 3, double.NaN));
        var report = TrainingDoctor.Diagnose(model, train, null, history, Options(), new DoctorOptions { ActiveProbes = false });
        var finding = report.Findings.Single(f => f.Code == "SK005");
        Assert.That(finding.Evidence["skipped steps"], Is.EqualTo(1));
        Assert.That(finding.Evidence["first skipped epoch"], Is.EqualTo(1));
        Assert.That(new SkippedStep(0, 3, double.NaN).ToString(), Does.Contain("batch 4"), "people read 1-based positions");
    }

    [Test]
    public void Diagnosing_never_changes_the_users_model()
    {
        using var train = Dataset(64, 1);
        using var model = Model();
        var history = Trainer.Fit(model, train, train, Options(epochs: 4));
        var before = Weights(model);
        model.train();
        var report = TrainingDoctor.Diagnose(model, train, train, history, Options());
        Assert.That(Weights(model), Is.EqualTo(before));
        Assert.That(model.training, Is.True, "the training mode is kept");
        Assert.That(model.parameters().All(p => p.grad is null || p.grad.abs().sum().item<float>() == 0), Is.True, "no gradient left on the user's model");
        Assert.That(report.HasWarnings, Is.False, report.ToString());
    }

    [Test]
    public void The_report_renders_as_text_markdown_and_json()
    {
        var (train, validation) = NoSignal();
        using (train)
        using (validation)
        {
            using var model = Model();
            var history = Trainer.Fit(model, train, validation, Options(epochs: 5));
            var report = TrainingDoctor.Diagnose(model, train, validation, history, Options());
            Assert.That(report.Findings, Is.Not.Empty);
            Assert.That(report.Findings.Select(f => f.Confidence), Is.Ordered.Descending);
            Assert.That(report.ToString(), Does.Contain(report.Top!.Code).And.Contain("Fix:"));
            Assert.That(report.ToMarkdown(), Does.Contain("| # | Code | Severity | Confidence | Finding |").And.Contain($"### {report.Top.Code}"));
            var json = JsonNode.Parse(report.ToJson())!;
            Assert.That((string?)json["findings"]![0]!["code"], Is.EqualTo(report.Top.Code));
            Assert.That(json["findings"]![0]!["evidence"]!.AsObject(), Is.Not.Empty);
        }
    }

    [Test]
    public void What_cannot_be_checked_becomes_a_note_not_an_exception()
    {
        var (inputs, labels) = SignTask(40, 3);
        var flat = new float[40, 12];
        for (var i = 0; i < 40; i++) for (var t = 0; t < 6; t++) for (var f = 0; f < 2; f++) flat[i, t * 2 + f] = inputs[i, t, f];
        using var data = new SequenceDataset(TorchSharp.torch.tensor(flat), TorchSharp.torch.tensor(labels));
        using var model = new SequenceModel(new SequenceModelOptions { Seed = 1 }, Input.Vector(12), new Dense(8, Activation.Relu), new Dense(2));
        var report = TrainingDoctor.Diagnose(model, data, null, new History(), Options());
        Assert.That(report.Notes, Has.Some.StartsWith("SK004 not checked").And.Some.Contains("the model has none"));
        Assert.That(report.Notes, Has.Some.StartsWith("SK008 not checked").And.Some.Contains("at least 6 epochs"));
        Assert.That(report.Notes, Has.Some.StartsWith("SK010 not checked"));
    }

    [Test]
    public void Without_active_probes_only_plain_checks_run()
    {
        var (train, validation) = NoSignal();
        using (train)
        using (validation)
        {
            using var model = Model();
            var history = Trainer.Fit(model, train, validation, Options(epochs: 3) with { Optimizer = new SequenceKit.Training.Optimizers.Adam { LearningRate = 1e-4 } });
            var report = TrainingDoctor.Diagnose(model, train, validation, history, Options(), new DoctorOptions { ActiveProbes = false });
            Assert.That(report.ActiveTime, Is.EqualTo(TimeSpan.Zero));
            Assert.That(report.Notes, Has.Some.Contains("ActiveProbes is false"));
            Assert.That(report.Notes, Has.None.StartsWith("experiments:"));
        }
    }

    [Test]
    public void Data_of_the_wrong_shape_is_a_clear_exception()
    {
        using var model = Model();
        using var wide = SequenceDataset.FromArrays(new float[4, 6, 3], new long[4]);
        var error = Assert.Throws<ArgumentException>(() => TrainingDoctor.Diagnose(model, wide, null, new History(), Options()))!;
        Assert.That(error.Message, Does.Contain("[6, 3]").And.Contain("(batch, time, 2)"));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainingDoctor.Diagnose(model, wide, null, new History(), Options(), new DoctorOptions { SampleSize = 0 }));
    }

    [Test]
    public void The_callback_raises_the_plateau_event_and_never_throws_from_Fit()
    {
        var (train, validation) = NoSignal();
        using (train)
        using (validation)
        {
            using var model = new SequenceModel(new SequenceModelOptions { Seed = 1 }, Input.Sequence(2), new Unregistered(), new Gru(8), new Dense(2));
            var doctor = new DoctorCallback(new DoctorCallbackOptions { Patience = 2 });
            var plateaus = new List<string>();
            doctor.PlateauDetected += (_, decision) => plateaus.Add(decision.Reason);
            var history = Trainer.Fit(model, train, validation, Options(epochs: 12) with { Callbacks = [doctor] });
            Assert.That(history.Epochs, Has.Count.EqualTo(12), "training ran to the end");
            Assert.That(plateaus, Has.Count.EqualTo(1).And.Some.Contains("val_loss"));
            Assert.That(doctor.FirstPlateauEpoch, Is.Not.Null);
            Assert.That(doctor.Reports, Has.Count.EqualTo(2), "one at the plateau, one at the end");
            Assert.That(doctor.LastReport!.Notes, Has.Some.Contains("Unknown layer type 'Tests.Unregistered'"), "checks that need a copy say why they could not run");
        }
    }

    /// <summary>An identity layer that is not registered, so the model cannot be copied.</summary>
    private sealed class Unregistered : ISequenceLayer
    {
        public string TypeName => "Tests.Unregistered";
        public LayerShape? RequiredInput => null;
        public TorchSharp.torch.nn.Module? Module => null;
        public LayerShape Build(LayerShape input, LayerBuildContext context) => input;
        public SequenceBatch Forward(SequenceBatch input) => input;
        public JsonObject GetConfig() => new();
    }

    [Test]
    public void The_learning_rate_range_test_suggests_a_rate_and_stops_on_divergence()
    {
        using var train = Dataset(128, 6);
        using var model = Model();
        var before = Weights(model);
        var result = LearningRateFinder.Run(model, train, Options());
        Assert.That(result.SuggestedRate, Is.InRange(1e-5, 1.0), $"{result.Method}");
        Assert.That(result.Rates, Is.Ordered.Ascending);
        // Plain SGD swept up to rate 1000 drives the logits, and the loss, without bound (it starts rising past 5).
        var sgd = LearningRateFinder.Run(model, train, Options() with { Optimizer = new SequenceKit.Training.Optimizers.Sgd() }, new LearningRateRangeOptions { EndRate = 1000 });
        Assert.That(sgd.Diverged, Is.True, "the loss passed 4× its minimum");
        Assert.That(sgd.Rates, Has.Count.LessThan(100), "the sweep stopped early");
        Assert.That(sgd.Losses[^1], Is.GreaterThan(4 * sgd.Losses.Min()).Or.NaN);
        Assert.That(Weights(model), Is.EqualTo(before), "the range test trains a copy");
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateFinder.Run(model, train, Options(), new LearningRateRangeOptions { StartRate = 1, EndRate = 0.1 }));
    }
}
