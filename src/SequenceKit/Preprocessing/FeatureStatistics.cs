using System.Numerics;

namespace SequenceKit.Preprocessing;

/// <summary>
/// Per-feature count (of non-NaN values), mean, sum of squared deviations (M2), minimum and maximum, gathered in
/// one pass and merged with Chan, Golub and LeVeque's pairwise update, so that any split of the data into batches
/// gives the same result as one batch (up to rounding).
/// Overflow-safe: a feature with a value above 2^400 in magnitude is summed in units of a power of two
/// 2^<see cref="Exponent"/> (exact rescaling), and its M2 is kept in units of 2^(2·Exponent), so finite inputs as large
/// as ±1.8e308 give a finite mean and standard deviation. Below 2^400 the exponent is 0 and the arithmetic is the
/// plain one.
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
        Exponent = new int[features];
        Array.Fill(Min, double.PositiveInfinity);
        Array.Fill(Max, double.NegativeInfinity);
    }

    public int FeatureCount { get; }

    /// <summary>Rows (samples, or samples × time steps) seen, NaN or not.</summary>
    public long Rows { get; set; }

    public long[] Count { get; }
    public double[] Mean { get; }
    /// <summary>Sum of squared deviations, in units of 2^(2·<see cref="Exponent"/>).</summary>
    public double[] M2 { get; }

    /// <summary>Per feature, the power of two that scales values before squaring (0 unless a value exceeds 2^400).</summary>
    public int[] Exponent { get; }
    public double[] Min { get; }
    public double[] Max { get; }

    /// <summary>Population variance M2 / count (NaN for a feature with no values; +Infinity when it exceeds double's range).</summary>
    public double Variance(int feature) => Count[feature] == 0 ? double.NaN : Math.ScaleB(M2[feature] / Count[feature], 2 * Exponent[feature]);

    /// <summary>The variance and the mean in units of 2^(2·Exponent) and 2^Exponent: finite for finite data.</summary>
    public (double Variance, double Mean) Scaled(int feature) => Count[feature] == 0
        ? (double.NaN, double.NaN)
        : (M2[feature] / Count[feature], Math.ScaleB(Mean[feature], -Exponent[feature]));

    /// <summary>Population standard deviation, computed without overflow (NaN for a feature with no values).</summary>
    public double StandardDeviation(int feature) => Count[feature] == 0 ? double.NaN : Math.ScaleB(Math.Sqrt(M2[feature] / Count[feature]), Exponent[feature]);

    /// <summary>Values above this magnitude are summed in scaled units: 2^400 keeps squares and Chan's δ²·n far from overflow below it.</summary>
    private const double ScaleThreshold = 2.5822498780869086e120;   // 2^400

    /// <summary>The exponent needed for a value: 0 up to 2^400, else one that brings it below 1/2.</summary>
    private static int ExponentFor(double magnitude) => magnitude > ScaleThreshold ? Math.ILogB(magnitude) + 2 : 0;

    /// <summary>Merges another batch's statistics into these (Chan et al.): exact for counts, min and max.</summary>
    public void Merge(FeatureStatistics other)
    {
        Rows += other.Rows;
        for (var f = 0; f < FeatureCount; f++)
            MergeFeature(f, other.Count[f], other.Mean[f], other.M2[f], other.Exponent[f], other.Min[f], other.Max[f]);
    }

    /// <summary>Chan's update; <paramref name="m2B"/> is in units of 2^(2·<paramref name="exponentB"/>).</summary>
    private void MergeFeature(int f, long countB, double meanB, double m2B, int exponentB, double minB, double maxB)
    {
        if (countB == 0) return;
        var countA = Count[f];
        var total = countA + countB;
        var k = Math.Max(Exponent[f], exponentB);
        if (k == 0)
        {
            // The plain arithmetic (every value below 2^400).
            var delta = meanB - Mean[f];
            Mean[f] += delta * countB / total;
            M2[f] += m2B + delta * delta * ((double)countA * countB / total);
        }
        else
        {
            // In units of 2^k (powers of two rescale exactly): means below 1/2, δ below 1, nothing overflows.
            var meanA = Math.ScaleB(Mean[f], -k);
            var delta = Math.ScaleB(meanB, -k) - meanA;
            Mean[f] = Math.ScaleB(meanA + delta * countB / total, k);
            M2[f] = Math.ScaleB(M2[f], 2 * (Exponent[f] - k)) + Math.ScaleB(m2B, 2 * (exponentB - k))
                + delta * delta * ((double)countA * countB / total);
            Exponent[f] = k;
        }
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
        Exponent.CopyTo(copy.Exponent, 0);
        Min.CopyTo(copy.Min, 0);
        Max.CopyTo(copy.Max, 0);
        return copy;
    }

    /// <summary>
    /// Gathers statistics of row-major data in one pass. Within blocks of rows, sums are taken relative to a shift
    /// (the block's first value of each feature), which keeps them small for data far from zero (e.g. offset by 1e9);
    /// blocks are then merged pairwise. A value above 2^400 in magnitude first closes the feature's block and restarts
    /// it in scaled units (see <see cref="FeatureStatistics"/>). NaN is skipped; ±Infinity throws before any state is changed.
    /// </summary>
    public sealed class Accumulator
    {
        private const int BlockRows = 1024;
        private readonly FeatureStatistics result;
        private readonly double[] shift, sum, sumSquares, blockMin, blockMax;
        private readonly long[] blockCount;
        private readonly int[] blockExponent;
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
            blockExponent = new int[features];
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
                    var exponent = ExponentFor(Math.Abs(value));
                    if (exponent > blockExponent[f])
                    {
                        FlushFeature(f);
                        blockExponent[f] = exponent;
                    }
                    var scaled = blockExponent[f] == 0 ? value : Math.ScaleB(value, -blockExponent[f]);
                    if (blockCount[f] == 0) shift[f] = scaled;
                    var d = scaled - shift[f];
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
            for (var f = 0; f < result.FeatureCount; f++) FlushFeature(f);
            StartBlock();
        }

        /// <summary>Merges one feature's block into the result and empties it (its exponent stays).</summary>
        private void FlushFeature(int f)
        {
            var n = blockCount[f];
            if (n == 0) return;
            var mean = Math.ScaleB(shift[f] + sum[f] / n, blockExponent[f]);
            var m2 = Math.Max(0, sumSquares[f] - sum[f] * sum[f] / n);
            result.MergeFeature(f, n, mean, m2, blockExponent[f], blockMin[f], blockMax[f]);
            (sum[f], sumSquares[f], blockCount[f]) = (0, 0, 0);
            (blockMin[f], blockMax[f]) = (double.PositiveInfinity, double.NegativeInfinity);
        }

        private void StartBlock()
        {
            rowsInBlock = 0;
            Array.Clear(sum);
            Array.Clear(sumSquares);
            Array.Clear(blockCount);
            Array.Clear(blockExponent);
            Array.Fill(blockMin, double.PositiveInfinity);
            Array.Fill(blockMax, double.NegativeInfinity);
        }
    }
}
