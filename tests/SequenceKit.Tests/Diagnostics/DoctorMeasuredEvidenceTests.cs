using SequenceKit.Diagnostics;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Optimizers;
using static SequenceKit.Tests.Training.TrainingData;
using static TorchSharp.torch;

namespace SequenceKit.Tests.Diagnostics;

/// <summary>
/// Evidence the doctor measures on the user's own model and setup: per-class recall on imbalanced data, a learning rate
/// far outside its optimizer's range, clipping far below the model's gradient norm; and when a run counts as stuck.
/// </summary>
public class DoctorMeasuredEvidenceTests
{
    /// <summary>
    /// A <paramref name="share"/> of rows are class 1, marked by feature 1 held at +3 over every step (class 0: uniform
    /// in [-1, 1]) when <paramref name="marked"/>: the minority class is then easy to separate once a model looks at its
    /// inputs; unmarked, nothing tells the classes apart and a model can only learn the shares.
    /// </summary>
    private static SequenceDataset Imbalanced(int samples, int seed, double share = 0.03, bool marked = true)
    {
        var (inputs, _) = SignTask(samples, seed);
        var random = new Random(seed + 1000);
        var labels = new long[samples];
        for (var i = 0; i < samples; i++)
        {
            labels[i] = random.NextDouble() < share ? 1 : 0;
            if (labels[i] == 1 && marked)
                for (var t = 0; t < inputs.GetLength(1); t++) inputs[i, t, 1] = 3;
        }
        return SequenceDataset.FromArrays(inputs, labels);
    }

    /// <summary>Per-class recall of the model's argmax predictions, computed here from Trainer.Predict.</summary>
    private static (double Majority, double Minority, int MinorityItems) Recalls(SequenceKit.Models.SequenceModel model, SequenceDataset data)
    {
        using var scope = NewDisposeScope();
        var predicted = Trainer.Predict(model, data).argmax(-1).data<long>().ToArray();
        var actual = data.Targets.data<long>().ToArray();
        double Recall(long k) => (double)Enumerable.Range(0, actual.Length).Count(i => actual[i] == k && predicted[i] == k) / actual.Count(a => a == k);
        return (Recall(0), Recall(1), actual.Count(a => a == 1));
    }

    [Test]
    public void An_imbalanced_model_that_separates_the_classes_is_not_stuck()
    {
        using var train = Imbalanced(600, 31);
        using var validation = Imbalanced(300, 32);
        var shares = validation.Targets.data<long>().ToArray();
        var majority = shares.Count(l => l == 0) / (double)shares.Length;
        // At this majority share two standard errors (+0.02) reach past 1: "accuracy no better than the majority share"
        // would call every model stuck, the v2 doctor's first rule did.
        Assert.That(majority + 2 * Math.Sqrt(majority * (1 - majority) / shares.Length) + 0.02, Is.GreaterThan(1));
        using var model = Model();
        var history = Trainer.Fit(model, train, validation, Options(epochs: 12));
        var (majorityRecall, minorityRecall, _) = Recalls(model, validation);
        Assert.That(minorityRecall, Is.GreaterThanOrEqualTo(0.8), "the model separates the classes");
        Assert.That(majorityRecall, Is.GreaterThanOrEqualTo(0.95));

        var report = TrainingDoctor.Diagnose(model, train, validation, history, Options(), new DoctorOptions());
        Assert.That(report.Findings.Select(f => f.Code), Has.None.EqualTo("SK001"), report.ToString());
        Assert.That(report.HasWarnings, Is.False, report.ToString());
        Assert.That(report.Notes, Has.Some.Contains("no experiments run"), "judged by balanced accuracy, the run is healthy");
        Assert.That(report.Work, Is.Zero, "no experiments ran");
    }

    [Test]
    public void A_model_pulled_to_the_majority_of_imbalanced_data_gets_the_imbalance_with_its_per_class_recall()
    {
        // 6% of the rows in class 1, unmarked: the model learns the class shares and predicts the majority.
        using var train = Imbalanced(600, 33, share: 0.06, marked: false);
        using var validation = Imbalanced(300, 34, share: 0.06, marked: false);
        using var model = Model();
        var options = Options(epochs: 3);
        var history = Trainer.Fit(model, train, validation, options);
        var (majorityRecall, minorityRecall, minorityItems) = Recalls(model, validation);
        Assert.That(majorityRecall - minorityRecall, Is.GreaterThanOrEqualTo(0.5), $"the model is pulled to the majority ({majorityRecall}, {minorityRecall})");

        var report = TrainingDoctor.Diagnose(model, train, validation, history, options, new DoctorOptions { ActiveProbes = false });
        var finding = report.Findings.Single(f => f.Code == "SK002");
        Assert.That(finding.Severity, Is.EqualTo(Severity.Warning), report.ToString());
        Assert.That(finding.Evidence["majority class recall"], Is.EqualTo(majorityRecall).Within(1e-9));
        Assert.That(finding.Evidence["smaller classes' recall"], Is.EqualTo(minorityRecall).Within(1e-9));
        Assert.That(finding.Evidence["smaller classes' evaluated items"], Is.EqualTo(minorityItems));
        Assert.That(finding.Confidence, Is.GreaterThan(report.Findings.Single(f => f.Code == "SK001").Confidence), "the cause ranks above its symptom");

        // The same data with balanced class weights set: no candidate to test, so no measured imbalance finding.
        var weighted = options with { ClassWeights = Labels.BalancedClassWeights(train.Targets.data<long>().ToArray(), 2) };
        var weightedReport = TrainingDoctor.Diagnose(model, train, validation, history, weighted, new DoctorOptions { ActiveProbes = false });
        Assert.That(weightedReport.Findings.Single(f => f.Code == "SK002").Severity, Is.EqualTo(Severity.Info), weightedReport.ToString());
    }

    [Test]
    public void A_learning_rate_far_above_its_optimizers_range_is_a_candidate_and_a_usual_one_is_not()
    {
        using var train = Dataset(300, 35);
        using var validation = Dataset(150, 36);
        // Adam's usual rate is 1e-3 and Adagrad's 0.01 (its default): 0.5 is 500× Adam's, 0.1 only 10× Adagrad's.
        foreach (var (optimizer, times, flagged) in new (IOptimizerFactory, double, bool?)[]
                 { (new Adam { LearningRate = 0.5 }, 500, true), (new Adam { LearningRate = 3e-3 }, 3, false), (new Adagrad { LearningRate = 0.1 }, 10, null) })
        {
            using var model = Model();
            var options = Options(epochs: 4) with { Optimizer = optimizer };
            var history = Trainer.Fit(model, train, validation, options);
            var report = TrainingDoctor.Diagnose(model, train, validation, history, options, new DoctorOptions { ActiveProbes = false });
            var tooHigh = report.Findings.Where(f => f.Code == "SK006" && f.Title == "Learning rate too high").ToList();
            if (flagged == true) Assert.That(tooHigh, Has.Count.EqualTo(1), report.ToString());
            if (flagged == false) Assert.That(tooHigh, Is.Empty, report.ToString());
            foreach (var finding in tooHigh)
            {
                Assert.That(finding.Evidence["learning rate"], Is.EqualTo(optimizer.LearningRate));
                Assert.That(finding.Evidence["times the usual rate"], Is.EqualTo(times).Within(1e-9 * times), "against the optimizer family's own usual rate");
            }
        }
    }

    [Test]
    public void Clipping_far_below_the_gradient_norm_shrinks_every_sgd_step_and_says_by_how_much()
    {
        using var train = Dataset(300, 37);
        using var validation = Dataset(150, 38);
        using var model = Model();
        var trained = Options(epochs: 3) with { Optimizer = new Sgd { LearningRate = 0.05, Momentum = 0.9 }, ClipGradientNorm = 1e-5 };
        var history = Trainer.Fit(model, train, validation, trained);
        // The same trained model judged under three clipping limits: the shrink factor follows the limit, the gradient
        // norm is the model's own.
        Finding Sk016(double clip, out DiagnosisReport report)
        {
            report = TrainingDoctor.Diagnose(model, train, validation, history, trained with { ClipGradientNorm = clip }, new DoctorOptions { ActiveProbes = false });
            return report.Findings.Single(f => f.Code == "SK016");
        }
        var tight = Sk016(1e-5, out var tightReport);
        var tighter = Sk016(1e-6, out _);
        var median = tight.Evidence["median gradient norm"];
        Assert.That(median, Is.InRange(1e-3, 100), "a gradient norm of the model as trained");
        Assert.That(tighter.Evidence["median gradient norm"], Is.EqualTo(median), "the model's own, whatever the limit");
        Assert.That(tight.Evidence["step shrink factor"] / tighter.Evidence["step shrink factor"], Is.EqualTo(10).Within(1e-9));
        Assert.That(tight.Evidence["step shrink factor"], Is.LessThan(0.01));
        if (tightReport.Findings.Any(f => f.Code == "SK001"))
            Assert.That(tight.Severity, Is.EqualTo(Severity.Warning), "a stuck run: the measured shrink stands");

        var loose = Sk016(1.0, out var looseReport);
        Assert.That(loose.Severity, Is.EqualTo(Severity.Info), looseReport.ToString());
        Assert.That(loose.Evidence.Keys, Has.None.EqualTo("step shrink factor"));

        // The measured shrink explains why another change (Adam, a far higher rate) works, so it stands beside a
        // confirmed change, ranked below it; a loose limit's candidate does not.
        Checks.Result Clip(double clip)
        {
            using var context = new DiagnosisContext(model, train, validation, history, trained with { ClipGradientNorm = clip }, new DoctorOptions(), default);
            return ConstraintsCheck.Run(context).Single(r => r.Finding.Code == "SK016");
        }
        var measured = Clip(1e-5);
        Assert.That((measured.Fallback, measured.BesideConfirmed), Is.EqualTo((true, true)));
        Assert.That((Clip(1.0).Fallback, Clip(1.0).BesideConfirmed), Is.EqualTo((false, false)));
        var adam = new Treatment("SK021", "Adam at 0.001 in place of Sgd", "f");
        var active = new ActiveResult();
        active.Confirmed[adam] = new Finding("SK021", "t", Severity.Critical, 0.6, "m", new Dictionary<string, double>(), "f") { ConfirmedByExperiment = true };
        var ranked = Ranking.Rank([measured], active, symptom: null, unhealthy: true, activeProbes: true, []);
        Assert.That(ranked.Select(f => (f.Code, f.Severity)), Is.EqualTo(new[] { ("SK021", Severity.Critical), ("SK016", Severity.Warning) }));
        Assert.That(ranked[1].Confidence, Is.LessThan(0.6), "below the confirmed change");
    }
}
