using SequenceKit.Layers;
using static SequenceKit.Diagnostics.Checks;

namespace SequenceKit.Diagnostics;

/// <summary>SK008: a sustained rise of the validation loss while the training loss falls.</summary>
internal static class OverfittingCheck
{
    /// <summary>The validation loss must rise above its best by more than this × its own epoch-to-epoch noise (docs/diagnostics.md, SK008).</summary>
    public const double NoiseMultiple = 3;

    /// <summary>… and by more than this share of the best validation loss.</summary>
    public const double MinRise = 0.05;

    // SK008: overfitting only on a sustained rise, beyond the validation loss's own epoch-to-epoch noise.
    public static IEnumerable<Result> Run(DiagnosisContext c)
    {
        var train = c.Series("loss");
        var validation = c.Series("val_loss");
        if (train.Length < 6) throw new NotCheckableException(F($"SK008 needs at least 6 epochs of history; there are {train.Length}"));
        if (validation.Length != train.Length) return None;
        var best = Array.IndexOf(validation, validation.Min());
        var after = validation.Length - 1 - best;
        if (after < 3) return None;
        // Noise: the median absolute epoch-to-epoch change of the validation loss up to its best epoch.
        var changes = Enumerable.Range(1, Math.Max(1, best)).Where(i => i < validation.Length).Select(i => Math.Abs(validation[i] - validation[i - 1])).Order().ToArray();
        var noise = changes.Length == 0 ? 0 : changes[changes.Length / 2];
        var rise = validation[^1] - validation[best];
        var sustained = Enumerable.Range(best + 1, after).Count(i => validation[i] > validation[best] + noise) >= Math.Min(3, after);
        if (!(sustained && rise > NoiseMultiple * noise && rise > MinRise * validation[best] && train[^1] < train[best])) return None;
        return [new Result(new Finding("SK008", "Overfitting", Severity.Warning, Math.Min(0.9, rise / (rise + 3 * Math.Max(noise, 1e-12))) * (Status.Of(c).Stuck ? 0.4 : 1),
            F($"The validation loss was lowest at epoch {best + 1} ({validation[best]:G4}) and has stayed above it for {after} epochs, rising to {validation[^1]:G4} ({rise / Math.Max(noise, 1e-12):F1}× its epoch-to-epoch noise of {noise:G3}), while the training loss kept falling to {train[^1]:G4}."),
            E(("best val_loss epoch", best + 1), ("best val_loss", validation[best]), ("last val_loss", validation[^1]), ("last loss", train[^1]), ("val_loss noise", noise)),
            "Add EarlyStopping(new() { Monitor = \"val_loss\", RestoreBestWeights = true }), Dropout layers or RecurrentOptions.Dropout, or more training data."), true)];
    }
}
