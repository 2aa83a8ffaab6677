using System.Globalization;

namespace SequenceKit.Diagnostics;

/// <summary>One thing the training doctor found, with the numbers behind it and the change that addresses it.</summary>
/// <param name="Code">A stable code, e.g. "SK001"; each has a section in docs/diagnostics.md.</param>
/// <param name="Title">A short name, e.g. "Predicts the majority class".</param>
/// <param name="Severity">How much it matters.</param>
/// <param name="Confidence">How sure the doctor is, in [0, 1]; the report ranks by it.</param>
/// <param name="Message">The finding in a sentence that names its numbers.</param>
/// <param name="Evidence">The numbers, by name.</param>
/// <param name="Fix">A concrete SequenceKit change.</param>
public sealed record Finding(string Code, string Title, Severity Severity, double Confidence, string Message,
    IReadOnlyDictionary<string, double> Evidence, string Fix)
{
    /// <summary>
    /// The controlled experiment behind the finding, as the report quotes it ("With the inputs standardized, a copy's
    /// cross-entropy … fell from 2.30 to 0.91 in 150 steps; unchanged, 2.30 → 2.29 …"), confirmed or not; null when no
    /// experiment was run for this finding (plain checks, a healthy run, <see cref="DoctorOptions.ActiveProbes"/> off).
    /// </summary>
    public string? Experiment { get; init; }

    /// <summary>
    /// Whether a controlled experiment confirmed this finding: the change it names made copies of the model learn,
    /// with two seeds, beyond every seed of the unchanged control (alone, or as a necessary part of a joint change).
    /// False for plain checks, measured fallbacks and unconfirmed candidates.
    /// </summary>
    public bool ConfirmedByExperiment { get; init; }

    /// <summary>The evidence name under which a learning-rate finding (SK006) gives the rate its experiment confirmed.</summary>
    public const string SuggestedLearningRate = "suggested learning rate";

    /// <summary>The evidence name under which the still-learning advice (SK022) gives the epoch count it suggests.</summary>
    public const string SuggestedEpochs = "suggested epochs";

    /// <summary>"SK001 [Critical, 0.95] Predicts the majority class: … Fix: …".</summary>
    /// <returns>The finding in one paragraph.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Code} [{Severity}, confidence {Confidence:F2}] {Title}: {Message} Fix: {Fix}");
}
