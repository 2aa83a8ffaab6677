using SequenceKit.Diagnostics;
using SequenceKit.PlateauZoo;
using SequenceKit.Training;

namespace SequenceKit.Tests.Diagnostics;

/// <summary>Every zoo case through Fit with the doctor on: broken ones get their cause first, healthy ones no warning.</summary>
public class PlateauZooTests
{
    // Cases the v2 doctor is known to miss are listed with their reason in Cases.cs and in docs/diagnostics.md.
    private static IEnumerable<TestCaseData> Broken() => Cases.All.Where(c => c.ExpectedCode is not null && c.KnownMiss is null).Select(c => new TestCaseData(c).SetArgDisplayNames(c.Name));

    private static IEnumerable<TestCaseData> Healthy() => Cases.All.Where(c => c.ExpectedCode is null).Select(c => new TestCaseData(c).SetArgDisplayNames(c.Name));

    private static (DiagnosisReport? Report, DoctorCallback Doctor) Train(ZooCase zooCase)
    {
        using var run = zooCase.Build();
        // The default doctor options: the experiments are budgeted in work, so the decision pinned here does not depend
        // on how busy the machine is. Only the end-of-training report is checked, so the plateau diagnosis is skipped.
        var doctor = new DoctorCallback(new DoctorCallbackOptions { DiagnoseOnPlateau = false });
        Trainer.Fit(run.Model, run.Train, run.Validation, run.Options with { Callbacks = [doctor] });
        return (doctor.LastReport, doctor);
    }

    [TestCaseSource(nameof(Broken))]
    public void A_broken_setup_gets_its_cause_as_the_top_finding(ZooCase zooCase)
    {
        var (report, _) = Train(zooCase);
        Assert.That(report, Is.Not.Null);
        Assert.That(report!.Top?.Code, Is.EqualTo(zooCase.ExpectedCode), report.ToString());
        Assert.That(report.Top!.Evidence, Is.Not.Empty);
        Assert.That(report.Top.Fix, Is.Not.Empty);
    }

    [TestCaseSource(nameof(Healthy))]
    public void A_healthy_setup_gets_no_warning(ZooCase zooCase)
    {
        var (report, _) = Train(zooCase);
        Assert.That(report?.HasWarnings ?? false, Is.False, report?.ToString());
    }
}
