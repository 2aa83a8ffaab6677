using System.Numerics;

namespace SequenceKit.Preprocessing;

/// <summary>
/// Per-feature count (of non-NaN values), mean, sum of squared deviations (M2), minimum and maximum, gathered in
/// one pass and merged with Chan, Golub and LeVeque's pairwise update, so that any split of the data into batches
/// gives the same result as one batch (up to rounding).
/// </summary>
internal sealed class FeatureStatistics
{
    public FeatureStatistics(int features)
    {
        FeatureCount = features;
        Count = new long[features];
        Mean = new double[features];
        M2 = new double[features];
        Min = new double[features];
        Max = new double[features];
        Array.Fill(Min, double.PositiveInfinity);
        Array.Fill(Max, double.NegativeInfinity);
    }

    public int FeatureCount { get; }

    /// <summary>Rows (samples, or samples × time steps) seen, NaN or not.</summary>
    public long Rows { get; set; }

    public long[] Count { get; }
    public double[] Mean { get; }
    public double[] M2 { get; }
    public double[] Min { get; }
    public double[] Max { get; }

    /// <summary>Population variance M2 / count (NaN for a feature with no values).</summary>
    public double Variance(int feature) => Count[feature] == 0 ? double.NaN : M2[feature] / Count[feature];

    /// <summary>Merges another batch's statistics into these (Chan et al.): exact for counts, min and max.</summary>
    public void Merge(FeatureStatistics other)
    {
        Rows += other.Rows;
        for (var f = 0; f < FeatureCount; f++)
            MergeFeature(f, other.Count[f], other.Mean[f], other.M2[f], other.Min[f], other.Max[f]);
    }

    private void MergeFeature(int f, long countB, double meanB, double m2B, double minB, double maxB)
    {
        if (countB == 0) return;
        var countA = Count[f];
        var total = countA + countB;
        var delta = meanB - Mean[f];
        Mean[f] += delta * countB / total;
        M2[f] += m2B + delta * delta * ((double)countA * countB / total);
        Count[f] = total;
        Min[f] = Math.Min(Min[f], minB);
        Max[f] = Math.Max(Max[f], maxB);
    }

    public FeatureStatistics Clone()
    {
        var copy = new FeatureStatistics(FeatureCount) { Rows = Rows };
        Count.CopyTo(copy.Count, 0);
        Mean.CopyTo(copy.Mean, 0);
        M2.CopyTo(copy.M2, 0);
        Min.CopyTo(copy.Min, 0);
        Max.CopyTo(copy.Max, 0);
        return copy;
    }

    /// <summary>
    /// Gathers statistics of row-major data in one pass. Within blocks of rows, sums are taken relative to a shift
    /// (the block's first value of each feature), which keeps them small for data far from zero (e.g. offset by 1e9);
    /// blocks are then merged pairwise. NaN is skipped; ±Infinity throws before any state is changed.
    /// </summary>
    public sealed class Accumulator
    {
        private const int BlockRows = 1024;
        private readonly FeatureStatistics result;
        private readonly double[] shift, sum, sumSquares, blockMin, blockMax;
        private readonly long[] blockCount;
        private int rowsInBlock;

        public Accumulator(int features)
        {
            result = new FeatureStatistics(features);
            shift = new double[features];
            sum = new double[features];
            sumSquares = new double[features];
            blockMin = new double[features];
            blockMax = new double[features];
            blockCount = new long[features];
            StartBlock();
        }

        /// <summary>Adds whole rows (length a multiple of the feature count).</summary>
        /// <param name="rows">Row-major values.</param>
        /// <param name="firstRow">The index of the first row in the caller's data, for error messages.</param>
        /// <param name="position">Turns (row, feature) into the caller's index text, e.g. "[3, 1]".</param>
        public void Add<T>(ReadOnlySpan<T> rows, long firstRow, Func<long, int, string> position)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var features = result.FeatureCount;
            var rowCount = rows.Length / features;
            for (var r = 0; r < rowCount; r++)
            {
                var row = rows.Slice(r * features, features);
                for (var f = 0; f < features; f++)
                {
                    var value = double.CreateTruncating(row[f]);
                    if (!double.IsFinite(value))
                    {
                        if (double.IsNaN(value)) continue;
                        throw new ArgumentException(
                            $"data holds {(value > 0 ? "+" : "-")}Infinity at {position(firstRow + r, f)}; scalers accept finite values and NaN " +
                            "(NaN is ignored when fitting and kept when transforming). Replace or drop infinite values first.", "data");
                    }
                    if (blockCount[f] == 0) shift[f] = value;
                    var d = value - shift[f];
                    sum[f] += d;
                    sumSquares[f] += d * d;
                    blockCount[f]++;
                    if (value < blockMin[f]) blockMin[f] = value;
                    if (value > blockMax[f]) blockMax[f] = value;
                }
                result.Rows++;
                if (++rowsInBlock == BlockRows) FlushBlock();
            }
        }

        public FeatureStatistics Complete()
        {
            FlushBlock();
            return result;
        }

        private void FlushBlock()
        {
            for (var f = 0; f < result.FeatureCount; f++)
            {
                var n = blockCount[f];
                if (n == 0) continue;
                var mean = shift[f] + sum[f] / n;
                var m2 = Math.Max(0, sumSquares[f] - sum[f] * sum[f] / n);
                result.MergeFeature(f, n, mean, m2, blockMin[f], blockMax[f]);
            }
            StartBlock();
        }

        private void StartBlock()
        {
            rowsInBlock = 0;
            Array.Clear(sum);
            Array.Clear(sumSquares);
            Array.Clear(blockCount);
            Array.Fill(blockMin, double.PositiveInfinity);
            Array.Fill(blockMax, double.NegativeInfinity);
        }
    }
}
