using SequenceKit.Layers;

namespace SequenceKit.Diagnostics;

/// <summary>
/// SK020: token padding the model reads as data. Two setups, each a fact about the data and the model, each with an
/// experiment that repairs it:
/// <list type="bullet">
/// <item>Padding at the front while lengths are given: packing keeps each row's first <c>length</c> steps, which are
/// padding, and drops the real tokens at its end. Tried: the padding moved to the end.</item>
/// <item>Long padding at the end, no lengths, and an Embedding without <see cref="EmbeddingOptions.MaskZero"/>: the
/// recurrent layer's last step is read dozens of padding steps after the last token. Tried: lengths from the padding.</item>
/// </list>
/// A setup counts when at least <see cref="MinShare"/> of the sampled rows show it; end padding also needs at least
/// <see cref="MinTrailing"/> steps (or a tenth of the sequence) on average over those rows.
/// </summary>
internal static class TokenPaddingCheck
{
    /// <summary>The share of rows that must show the setup (30%: the same share SK017 uses for float padding).</summary>
    public const double MinShare = 0.3;

    /// <summary>The fewest trailing padding steps that bury the last token (a tenth of the sequence, when that is more).</summary>
    public const int MinTrailing = 3;

    public static IEnumerable<Checks.Result> Run(DiagnosisContext c)
    {
        if (c.Model.Layers[0] is not Embedding embedding) throw new NotCheckableException("SK020 applies to models that start with an Embedding");
        var rows = DiagnosisContext.RandomRows(c.Train, 4 * c.Options.SampleSize, 35).Select(r => (long)r).ToArray();
        using var batch = c.Train.GetBatch(rows);
        var steps = batch.Inputs.shape[1];
        var (leading, trailing) = TokenPadding.Of(batch.Inputs);
        var n = leading.Length;
        if (batch.Lengths is { } given)
        {
            var lengths = given.data<long>().ToArray();
            var front = Enumerable.Range(0, n).Count(i => leading[i] > 0 && lengths[i] < steps);
            var share = front / (double)n;
            if (share < MinShare) return [];
            var meanLead = Enumerable.Range(0, n).Where(i => leading[i] > 0).Average(i => (double)leading[i]);
            var finding = new Finding("SK020", Catalog.Title("SK020"), Severity.Warning, Math.Min(0.7, 0.3 + 0.4 * share),
                Checks.F($"{share:P0} of the training rows are padded at the front ({meanLead:F1} padding tokens on average) while their lengths are given: packing keeps each row's first `length` steps, which are padding, and drops the real tokens at its end."),
                Checks.E(("share of front-padded rows with lengths", share), ("mean leading padding", meanLead), ("time steps", steps)),
                "Pad at the end (PaddingOptions.Padding = PaddingSide.Post) when you pass lengths, so that each row's first `length` steps are its real tokens.");
            // Always a bug: packing keeps the padding and drops real tokens, whatever the run's accuracy. Decisive.
            return [new Checks.Result(finding, true, new Treatment("SK020", "the padding moved to the end of each row", finding.Fix) { MovePaddingToEnd = true })];
        }
        if (embedding.Options.MaskZero) return [];                            // the Embedding takes lengths from the padding
        var least = Math.Max(MinTrailing, steps / 10);
        var padded = Enumerable.Range(0, n).Where(i => trailing[i] >= least).ToArray();
        var endShare = padded.Length / (double)n;
        if (endShare < MinShare) return [];
        var meanTrailing = padded.Average(i => (double)trailing[i]);
        var end = new Finding("SK020", Catalog.Title("SK020"), Severity.Warning, Math.Min(0.7, 0.3 + 0.4 * endShare),
            Checks.F($"{endShare:P0} of the training rows end in {meanTrailing:F1} padding tokens on average (of {steps} steps), with no lengths and an Embedding whose MaskZero is off: the recurrent layer runs over the padding, and the last step it reports is read {meanTrailing:F0} steps after the last real token."),
            Checks.E(("share of end-padded rows", endShare), ("mean trailing padding", meanTrailing), ("time steps", steps)),
            Catalog.Fix("SK020") + " Or keep EmbeddingOptions.MaskZero = true (the default), which takes each row's length from its padding.");
        return [new Checks.Result(end, false, new Treatment("SK020", "lengths taken from the padding", end.Fix) { LengthsFromPadding = true }, Fallback: true)];
    }
}
