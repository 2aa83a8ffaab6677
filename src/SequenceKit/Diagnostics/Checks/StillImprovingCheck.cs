using SequenceKit.Training;

namespace SequenceKit.Diagnostics;

/// <summary>
/// SK022: the run ended while it was still learning. Over the last third of the epochs the monitored loss reached a new
/// best that beats the earlier best by 2% and by more than twice its epoch-to-epoch noise
/// (<see cref="TrainingDoctor.StillImproving"/>), and the run stopped because its epochs ran out, not by early
/// stopping. Advice at Info (a faster or longer route, not a fault): train for <see cref="EpochFactor"/> × the epochs.
/// </summary>
internal static class StillImprovingCheck
{
    /// <summary>The suggested epochs are this × the epochs run.</summary>
    public const int EpochFactor = 2;

    public static IEnumerable<Checks.Result> Run(DiagnosisContext c)
    {
        var epochs = c.History.Epochs.Count;
        if (c.History.StopReason != StopReason.Completed) return [];
        var (improving, text) = TrainingDoctor.StillImproving(c);
        if (!improving) return [];
        var suggested = EpochFactor * epochs;
        return [new Checks.Result(new Finding("SK022", Catalog.Title("SK022"), Severity.Info, 0.3,
            Checks.F($"The run ended after {epochs} epochs while it was still learning: {text}."),
            Checks.E(("epochs", epochs), (Finding.SuggestedEpochs, suggested)),
            Checks.F($"Train for about {suggested} epochs (TrainerOptions.Epochs = {suggested}); add EarlyStopping(new() {{ Monitor = \"val_loss\", RestoreBestWeights = true }}) so that the run stops when it no longer improves.")), true)];
    }
}
