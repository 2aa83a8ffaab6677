using SequenceKit.Preprocessing;

namespace SequenceKit.Tests.Preprocessing;

public class DataSplitTests
{
    [Test]
    public void Split_is_seeded_disjoint_and_complete()
    {
        var a = DataSplit.TrainValidation(100, 0.2, seed: 5);
        var b = DataSplit.TrainValidation(100, 0.2, seed: 5);
        var c = DataSplit.TrainValidation(100, 0.2, seed: 6);
        Assert.That(a.Validation, Is.EqualTo(b.Validation));
        Assert.That(a.Validation, Is.Not.EqualTo(c.Validation));
        Assert.That(a.Validation, Has.Length.EqualTo(20));
        Assert.That(a.Train.Concat(a.Validation).Order(), Is.EqualTo(Enumerable.Range(0, 100)));
        Assert.That(a.Train, Is.Ordered);
    }

    [Test]
    public void Stratified_split_keeps_class_proportions()
    {
        long[] labels = [.. Enumerable.Repeat(0L, 90), .. Enumerable.Repeat(1L, 10)];
        var split = DataSplit.TrainValidation(100, 0.3, seed: 1, stratifyBy: labels);
        var validationLabels = DataSplit.Take(labels, split.Validation);
        Assert.That(validationLabels.Count(l => l == 1), Is.EqualTo(3));
        Assert.That(validationLabels.Count(l => l == 0), Is.EqualTo(27));
    }

    [Test]
    public void Take_keeps_rows_aligned()
    {
        var data = new float[,,] { { { 0 } }, { { 1 } }, { { 2 } } };
        var matrix = new float[,] { { 0, 0 }, { 1, 1 }, { 2, 2 } };
        Assert.That(DataSplit.Take(data, [2, 0]), Is.EqualTo(new float[,,] { { { 2 } }, { { 0 } } }));
        Assert.That(DataSplit.Take(matrix, [1]), Is.EqualTo(new float[,] { { 1, 1 } }));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Take(matrix, [3]))!.Message, Does.Contain("rows[0] = 3"));
    }

    [Test]
    public void Bad_arguments_are_rejected()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.TrainValidation(10, 1.0, 0))!.ParamName, Is.EqualTo("validationFraction"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.TrainValidation(1, 0.5, 0))!.ParamName, Is.EqualTo("count"));
        Assert.That(Assert.Throws<ArgumentException>(() => DataSplit.TrainValidation(10, 0.5, 0, stratifyBy: [1, 2]))!.Message, Does.Contain("2 entries for 10 rows"));
    }
}
