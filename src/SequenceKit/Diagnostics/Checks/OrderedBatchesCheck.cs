using SequenceKit.Preprocessing;
using SequenceKit.Training;
using static SequenceKit.Diagnostics.Checks;

namespace SequenceKit.Diagnostics;

/// <summary>SK014: label runs in the batch order when shuffling is off.</summary>
internal static class OrderedBatchesCheck
{
    // SK014: label runs in the order batches are drawn when shuffling is off.
    public static IEnumerable<Result> Run(DiagnosisContext c)
    {
        if (c.Training.Shuffle) return None;
        var labels = c.TrainLabels ?? throw new NotCheckableException("SK014 applies to classification targets");
        var runs = 1 + Enumerable.Range(1, labels.Length - 1).Count(i => labels[i] != labels[i - 1]);
        // A random order of these labels would change class about n·(1 − Σ p²) times.
        var shares = labels.GroupBy(l => l).Select(g => (double)g.Count() / labels.Length).ToArray();
        var expected = 1 + (labels.Length - 1) * (1 - shares.Sum(p => p * p));
        var single = c.Train.BatchOrder(new BatchOptions { BatchSize = c.Training.BatchSize, Shuffle = false })
            .Count(b => b.Select(r => labels[r]).Distinct().Count() == 1) / (double)Math.Max(1, (labels.Length + c.Training.BatchSize - 1) / c.Training.BatchSize);
        if (runs > 0.5 * expected) return None;
        const string fix = "Shuffle the training batches (TrainerOptions.Shuffle = true, the default), or shuffle the rows once before building the dataset.";
        var finding = new Finding("SK014", "Training batches are ordered", Severity.Warning, 0.1 + 0.5 * (1 - runs / expected),
            F($"With Shuffle = false the training rows come in {runs} runs of one label (a random order would give about {expected:F0}); {single:P0} of the batches hold a single class, so each step pulls the model towards the class of the moment."),
            E(("label runs", runs), ("label runs in a random order", expected), ("share of single-class batches", single)), fix);
        return [new Result(finding, false, new Treatment("SK014", "the batches shuffled", fix) { Shuffle = true }, Fallback: true)];
    }
}
