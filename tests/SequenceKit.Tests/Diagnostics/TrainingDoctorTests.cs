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
    public void The_majority_finding_names_the_accuracy_and_the_class_share()
    {
        var (train, validation) = NoSignal();
        using (train)
        using (validation)
        {
            using var model = Model();
            var history = Trainer.Fit(model, train, validation, Options(epochs: 6) with { Optimizer = new SequenceKit.Training.Optimizers.Adam { LearningRate = 1e-3 } });
            var report = TrainingDoctor.Diagnose(model, train, validation, history, Options());
            var finding = report.Findings.Single(f => f.Code == "SK001");
            var share = finding.Evidence["class share"];
            Assert.That(finding.Message, Does.Match(@"validation accuracy 0\.\d{4} equals the share of class 0 \(0\.\d{4}\); \d+ % of predictions are class 0"));
            Assert.That(finding.Evidence["accuracy"], Is.EqualTo(share).Within(0.02));
        }
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
        Assert.That(report.Notes, Has.Some.StartsWith("SK008 not checked").And.Some.Contains("at least 4 epochs"));
        Assert.That(report.Notes, Has.Some.StartsWith("SK010 not checked"));
    }

    [Test]
    public void Without_active_probes_only_passive_checks_run()
    {
        using var train = Dataset(32, 5);
        using var model = Model();
        var history = Trainer.Fit(model, train, null, Options(epochs: 2));
        var report = TrainingDoctor.Diagnose(model, train, null, history, Options(), new DoctorOptions { ActiveProbes = false });
        Assert.That(report.Notes.Where(n => n.Contains("ActiveProbes is false")).Select(n => n[..5]), Is.EquivalentTo(new[] { "SK004", "SK005", "SK006", "SK009", "SK011" }));
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
            Assert.That(doctor.LastReport!.Notes, Has.Some.Contains("Unknown layer type 'Tests.Unregistered'"), "probes that need a copy say why they could not run");
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
