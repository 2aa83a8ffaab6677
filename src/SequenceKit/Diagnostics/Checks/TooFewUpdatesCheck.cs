namespace SequenceKit.Diagnostics;

/// <summary>
/// SK019: too few optimizer updates. The run took (rows ÷ batch size, rounded up, ÷ accumulation steps) updates per
/// epoch, times its epochs. Below <see cref="MinUpdates"/> in the whole run, a model of the usual size has not had the
/// steps to learn (Keras tutorials take hundreds to thousands; the doctor's own first rung is 60 steps).
/// <para>When the batch is the lever (at most <see cref="MaxUpdatesPerEpochForBatch"/> updates per epoch: half the
/// training rows or more in one batch), it is a fact about the setup: a candidate that stands when the run is not
/// healthy, also beside a confirmed change (a higher rate or another optimizer works partly because each of the few
/// updates then goes further), and the experiments test it with the unchanged control, which trains for the race's
/// steps (far more than the run had): if the control learns, the updates were too few. With smaller batches the
/// epochs are the lever: the finding is Info advice to train longer (SK022 says so with the history's evidence).</para>
/// </summary>
internal static class TooFewUpdatesCheck
{
    /// <summary>Fewer updates than this in the whole run are too few.</summary>
    public const int MinUpdates = 30;

    /// <summary>At most this many updates per epoch (a batch of half the training rows or more) make the batch size the lever.</summary>
    public const int MaxUpdatesPerEpochForBatch = 2;

    /// <summary>The batch size the fix suggests (Keras' default).</summary>
    public const int SuggestedBatchSize = 32;

    public static IEnumerable<Checks.Result> Run(DiagnosisContext c)
    {
        var epochs = c.History.Epochs.Count;
        if (epochs == 0) throw new NotCheckableException("SK019 needs at least one completed epoch");
        var rows = c.Train.Count;
        var batch = c.Training.BatchSize;
        var accumulation = Math.Max(1, c.Training.AccumulationSteps);
        long PerEpoch(long size) => Math.Max(1, ((rows + size - 1) / size + accumulation - 1) / accumulation);
        var perEpoch = PerEpoch(batch);
        var total = perEpoch * epochs;
        if (total >= MinUpdates) return [];
        var suggested = Math.Min(SuggestedBatchSize, batch);
        var better = PerEpoch(suggested);
        var batchIsTheLever = perEpoch <= MaxUpdatesPerEpochForBatch && suggested < batch;
        var fix = batchIsTheLever
            ? Checks.F($"Use a smaller batch: TrainerOptions.BatchSize = {suggested} gives {better} updates per epoch ({better * epochs} over {epochs} epochs) instead of {perEpoch} ({total}); or train for more epochs.")
            : Checks.F($"Train for more epochs (TrainerOptions.Epochs = {Math.Max(epochs + 1, (MinUpdates * 4 + perEpoch - 1) / perEpoch)}): {perEpoch} updates per epoch give {total} in the whole run.");
        var finding = new Finding("SK019", Catalog.Title("SK019"), Severity.Warning, Math.Min(0.7, 0.3 + 0.2 * Math.Log10(MinUpdates / (double)total)),
            Checks.F($"The optimizer took {perEpoch} update(s) per epoch ({rows} training rows in batches of {batch}{(accumulation > 1 ? Checks.F($", {accumulation} accumulation steps") : "")}), {total} in the whole run of {epochs} epochs: too few for the model to learn."),
            Checks.E(("updates per epoch", perEpoch), ("updates in the run", total), ("batch size", batch), ("training rows", rows), ("suggested batch size", suggested)),
            fix);
        if (!batchIsTheLever)
            return [new Checks.Result(finding with { Severity = Severity.Info, Confidence = 0.2 }, true)];
        return [new Checks.Result(finding, false, new Treatment("SK019", "the setup unchanged, trained for the race's steps", fix) { TestedByControl = true, RunUpdates = total }, Fallback: true, BesideConfirmed: true)];
    }
}
