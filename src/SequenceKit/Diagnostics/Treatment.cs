using SequenceKit.Layers;
using SequenceKit.Training.Optimizers;

namespace SequenceKit.Diagnostics;

/// <summary>
/// One candidate fix, tried as a controlled experiment: a copy of the setup with this one change, trained from the
/// same initial weights on the same batches for the same number of steps as the unchanged control. A joint treatment
/// (<see cref="Combine"/>) applies several changes at once; its <see cref="Members"/> are then ablated one by one.
/// </summary>
/// <param name="Code">The finding it is evidence for ("SK003"); empty for a joint treatment or a control.</param>
/// <param name="Name">What changed, for messages ("the inputs standardized").</param>
/// <param name="Fix">The change in SequenceKit terms, for the finding's fix.</param>
internal sealed record Treatment(string Code, string Name, string Fix)
{
    /// <summary>Maps each layer of the model to its replacement (null removes it), or null for the layers unchanged.</summary>
    public Func<ISequenceLayer, ISequenceLayer?>? Layers { get; init; }

    /// <summary>The user's learning rate × this (1: unchanged). Ignored when <see cref="Optimizer"/> is set.</summary>
    public double RateFactor { get; init; } = 1;

    /// <summary>An optimizer in place of the user's (its own rate, not the user's × <see cref="RateFactor"/>), or null.</summary>
    public IOptimizerFactory? Optimizer { get; init; }

    /// <summary>The title of a confirmed finding when it differs from its code's.</summary>
    public string? Title { get; init; }

    /// <summary>Train without the user's gradient clipping.</summary>
    public bool RemoveClipping { get; init; }

    /// <summary>Shuffle the batches (the user's run did not).</summary>
    public bool Shuffle { get; init; }

    /// <summary>Standardize the inputs with the training subset's per-feature mean and deviation.</summary>
    public bool StandardizeInputs { get; init; }

    /// <summary>Standardize regression targets the same way.</summary>
    public bool StandardizeTargets { get; init; }

    /// <summary>Token rows: each row's leading padding moved to its end (the lengths given then cover the real tokens).</summary>
    public bool MovePaddingToEnd { get; init; }

    /// <summary>Token rows: lengths taken from the trailing padding (each row up to its last non-zero token).</summary>
    public bool LengthsFromPadding { get; init; }

    /// <summary>
    /// Not raced: the unchanged control is this candidate's test (too few updates: the control trains for the race's
    /// steps, far more than the run had; if it learns, the updates were too few).
    /// </summary>
    public bool TestedByControl { get; init; }

    /// <summary>For a change tested by the control: the optimizer updates the user's run took, which the control's must exceed.</summary>
    public long RunUpdates { get; init; }

    /// <summary>Balanced class weights in the loss.</summary>
    public bool ClassWeights { get; init; }

    /// <summary>Starts from the user's weights as trained rather than from fresh initial weights (and its control does too).</summary>
    public bool FromTrained { get; init; }

    /// <summary>The single changes a joint treatment applies together; empty for a single change.</summary>
    public IReadOnlyList<Treatment> Members { get; init; } = [];

    /// <summary>Judged by balanced accuracy rather than loss (class weights change what the loss weighs).</summary>
    public bool ByBalancedAccuracy => ClassWeights;

    /// <summary>
    /// Whether a change may join others in a joint treatment: changes of the data, the layers, the optimizer, the
    /// batch order or the clipping. Not a rate change (two of them contradict each other and an optimizer change),
    /// class weights (which change the yardstick), more units (capacity is tested alone) or a continuation.
    /// </summary>
    public bool Joinable => Members.Count == 0 && !FromTrained && !ClassWeights && !TestedByControl && RateFactor == 1 && Code != "SK015";

    /// <summary>All of <paramref name="changes"/> at once (their layer maps applied in turn; the last optimizer wins).</summary>
    public static Treatment Combine(IReadOnlyList<Treatment> changes)
    {
        Func<ISequenceLayer, ISequenceLayer?>? layers = null;
        foreach (var map in changes.Select(t => t.Layers).OfType<Func<ISequenceLayer, ISequenceLayer?>>())
        {
            var before = layers;
            layers = before is null ? map : l => before(l) is { } kept ? map(kept) : null;
        }
        return new Treatment("", changes.Count == 0 ? "nothing" : string.Join(" and ", changes.Select(t => t.Name)) + " together", "")
        {
            Layers = layers,
            Optimizer = changes.LastOrDefault(t => t.Optimizer is not null)?.Optimizer,
            RemoveClipping = changes.Any(t => t.RemoveClipping),
            Shuffle = changes.Any(t => t.Shuffle),
            StandardizeInputs = changes.Any(t => t.StandardizeInputs),
            StandardizeTargets = changes.Any(t => t.StandardizeTargets),
            MovePaddingToEnd = changes.Any(t => t.MovePaddingToEnd),
            LengthsFromPadding = changes.Any(t => t.LengthsFromPadding),
            Members = changes,
        };
    }

    /// <summary>This joint treatment without one of its members.</summary>
    public Treatment Without(Treatment member) => Combine(Members.Where(m => !ReferenceEquals(m, member)).ToList()) with { Name = "the others without " + member.Name };
}
