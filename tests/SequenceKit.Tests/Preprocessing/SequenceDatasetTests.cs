using SequenceKit.Backends;
using SequenceKit.Preprocessing;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Tests.Preprocessing;

public class SequenceDatasetTests
{
    private static SequenceDataset Numbered(int samples, bool withLengths = false)
    {
        // Sample i holds the value i everywhere, so each batch shows which rows it gathered.
        var inputs = new float[samples, 3, 2];
        var labels = new long[samples];
        for (var i = 0; i < samples; i++)
        {
            labels[i] = i;
            for (var t = 0; t < 3; t++) inputs[i, t, 0] = inputs[i, t, 1] = i;
        }
        return SequenceDataset.FromArrays(inputs, labels, withLengths ? labels.Select(l => l % 3 + 1).ToArray() : null);
    }

    [Test]
    public void Batches_cover_every_sample_once_and_keep_the_last_partial_batch()
    {
        using var dataset = Numbered(10, withLengths: true);
        var seen = new List<long>();
        var sizes = new List<long>();
        foreach (var batch in dataset.Batches(new BatchOptions { BatchSize = 4, Seed = 3 }))
            using (batch)
            {
                sizes.Add(batch.Inputs.shape[0]);
                var labels = batch.Targets.data<long>().ToArray();
                Assert.That(batch.Inputs[.., 0, 0].data<float>().ToArray().Select(v => (long)v), Is.EqualTo(labels), "inputs and targets stay aligned");
                Assert.That(batch.Lengths!.data<long>().ToArray(), Is.EqualTo(labels.Select(l => l % 3 + 1)), "lengths stay aligned");
                seen.AddRange(labels);
            }
        Assert.That(sizes, Is.EqualTo(new long[] { 4, 4, 2 }));
        Assert.That(seen.Order(), Is.EqualTo(Enumerable.Range(0, 10).Select(i => (long)i)));
        Assert.That(seen, Is.Not.Ordered, "shuffled");
    }

    [Test]
    public void Shuffle_is_seeded_and_can_be_off_or_drop_the_last_batch()
    {
        using var dataset = Numbered(10);
        var a = dataset.BatchOrder(new BatchOptions { BatchSize = 3, Seed = 7 });
        var b = dataset.BatchOrder(new BatchOptions { BatchSize = 3, Seed = 7 });
        Assert.That(a.SelectMany(x => x), Is.EqualTo(b.SelectMany(x => x)));
        Assert.That(dataset.BatchOrder(new BatchOptions { BatchSize = 3, Seed = 8 }).SelectMany(x => x), Is.Not.EqualTo(a.SelectMany(x => x)));
        Assert.That(dataset.BatchOrder(new BatchOptions { BatchSize = 3, Shuffle = false })[0], Is.EqualTo(new long[] { 0, 1, 2 }));
        Assert.That(dataset.BatchOrder(new BatchOptions { BatchSize = 3, DropLast = true }), Has.Count.EqualTo(3));
    }

    [Test]
    public void Subset_selects_rows_and_batches_create_no_lasting_tensors()
    {
        using var dataset = Numbered(8);
        using var subset = dataset.Subset([6, 1]);
        Assert.That(subset.Count, Is.EqualTo(2));
        using (var batch = subset.GetBatch([0, 1]))
            Assert.That(batch.Targets.data<long>().ToArray(), Is.EqualTo(new long[] { 6, 1 }));
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        foreach (var batch in dataset.Batches(new BatchOptions { BatchSize = 3, Device = ComputeDevice.Cpu })) batch.Dispose();
        Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(before));
    }

    [Test]
    public void Misaligned_data_and_bad_options_are_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => SequenceDataset.FromArrays(new float[4, 2, 1], new long[3]))!;
        Assert.That(error.Message, Does.Contain("targets has 3 samples but inputs has 4"));
        Assert.That(Assert.Throws<ArgumentException>(() => SequenceDataset.FromArrays(new long[2, 2], new long[2], new long[] { 1 }))!.Message,
            Does.Contain("lengths must be 2 integers"));
        using var dataset = Numbered(3);
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => dataset.Batches(new BatchOptions { BatchSize = 0 }))!.Message, Does.Contain("got 0"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => dataset.GetBatch([5]))!.Message, Does.Contain("rows[0] = 5"));
    }
}
