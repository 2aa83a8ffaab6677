using System.Text.Json;
using System.Text.Json.Nodes;

namespace SequenceKit.Preprocessing;

/// <summary>
/// Scales each feature to a range, by default [0, 1], as scikit-learn's <c>MinMaxScaler</c>:
/// <c>y = (x − DataMin) / DataRange · (max − min) + min</c>. A constant feature (DataRange below 10·ε = 2.2e-15, as
/// scikit-learn) gets scale 1 and maps to about the range's lower end. A range that overflows (data spanning ±1e308)
/// is handled around its midpoint, so finite data never gives NaN (scikit-learn's scale becomes 0 there). NaN is ignored when fitting and stays NaN; ±Infinity is rejected.
/// </summary>
/// <example>
/// <code>
/// var scaler = new MinMaxScaler();
/// var train = scaler.FitTransform(trainData);      // learn min/max from training data only
/// var valid = scaler.Transform(validationData);    // apply them to validation data
/// </code>
/// </example>
public sealed class MinMaxScaler : Scaler
{
    /// <summary>Creates an unfitted scaler.</summary>
    /// <param name="options">Feature range and clipping; null for [0, 1] without clipping.</param>
    /// <exception cref="ArgumentException">The range is not finite or its minimum is not below its maximum.</exception>
    public MinMaxScaler(MinMaxScalerOptions? options = null)
    {
        Options = options ?? new MinMaxScalerOptions();
        if (!double.IsFinite(Options.FeatureRangeMin) || !double.IsFinite(Options.FeatureRangeMax) || Options.FeatureRangeMin >= Options.FeatureRangeMax)
            throw new ArgumentException(
                $"MinMaxScalerOptions feature range must be finite with FeatureRangeMin < FeatureRangeMax; got ({Options.FeatureRangeMin}, {Options.FeatureRangeMax}).",
                nameof(options));
    }

    /// <summary>The scaler's options.</summary>
    public MinMaxScalerOptions Options { get; }

    /// <summary>Each feature's minimum in the data fitted (scikit-learn's <c>data_min_</c>).</summary>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    public IReadOnlyList<double> DataMin => Statistics.Min.Select((m, f) => Statistics.Count[f] == 0 ? double.NaN : m).ToArray();

    /// <summary>Each feature's maximum in the data fitted (scikit-learn's <c>data_max_</c>).</summary>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    public IReadOnlyList<double> DataMax => Statistics.Max.Select((m, f) => Statistics.Count[f] == 0 ? double.NaN : m).ToArray();

    /// <summary>DataMax − DataMin per feature (scikit-learn's <c>data_range_</c>; +Infinity when it overflows).</summary>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    public IReadOnlyList<double> DataRange => DataMax.Zip(DataMin, (max, min) => max - min).ToArray();

    /// <summary>The multiplier per feature, (max − min) / DataRange, with a range below 10·ε counted as 1 (scikit-learn's <c>scale_</c>).</summary>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    public IReadOnlyList<double> Scale => FittedMap.Scale.AsReadOnly();

    /// <summary>The addend per feature, min − DataMin · Scale (scikit-learn's <c>min_</c>).</summary>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    public IReadOnlyList<double> Offset => FittedMap.Center.Select((c, f) => FittedMap.Shift[f] - c * FittedMap.Scale[f]).ToArray();

    /// <summary>Loads a MinMaxScaler saved with <see cref="IScaler.Save"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The fitted scaler.</returns>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="PreprocessingFileException">The file is corrupt (its hash does not match), inconsistent, or holds another scaler type; the message names the file.</exception>
    public static new MinMaxScaler Load(string path) => LoadAs<MinMaxScaler>(path);

    private protected override (double Low, double High)? ClipRange =>
        Options.Clip ? (Options.FeatureRangeMin, Options.FeatureRangeMax) : null;

    private protected override void ComputeMap(FeatureStatistics stats, double[] center, double[] scale, double[] shift)
    {
        var width = Options.FeatureRangeMax - Options.FeatureRangeMin;
        for (var f = 0; f < stats.FeatureCount; f++)
        {
            var (min, max) = (stats.Min[f], stats.Max[f]);
            var range = max - min;
            if (stats.Count[f] == 0 || double.IsFinite(range))
            {
                // scikit-learn's _handle_zeros_in_scale: a range below 10·ε (ε = 2.2e-16) counts as constant, scale 1.
                center[f] = stats.Count[f] == 0 ? double.NaN : min;
                scale[f] = stats.Count[f] == 0 ? double.NaN : width / (range < ConstantRange ? 1 : range);   // no values: NaN, as scikit-learn
                shift[f] = Options.FeatureRangeMin;
            }
            else
            {
                // The range overflows (e.g. ±1e308): map around the midpoint, where x − midpoint and half the range
                // are finite: y = (x − mid) · (width/2) / (range/2) + (low + width/2).
                center[f] = min / 2 + max / 2;
                scale[f] = width / 2 / (max / 2 - min / 2);
                shift[f] = Options.FeatureRangeMin + width / 2;
            }
        }
    }

    /// <summary>scikit-learn's bound for a constant feature's range: 10 × 2^-52.</summary>
    private const double ConstantRange = 10 * 2.220446049250313e-16;

    private protected override JsonNode OptionsToJson(JsonSerializerOptions json) => JsonSerializer.SerializeToNode(Options, json)!;
}
