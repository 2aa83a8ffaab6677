using System.Text.Json;
using System.Text.Json.Nodes;

namespace SequenceKit.Preprocessing;

/// <summary>
/// Scales each feature to a range, by default [0, 1], as scikit-learn's <c>MinMaxScaler</c>:
/// <c>y = (x − DataMin) / DataRange · (max − min) + min</c>. A constant feature (DataRange 0) gets scale 1 and maps to
/// the range's lower end. NaN is ignored when fitting and stays NaN; ±Infinity is rejected.
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

    /// <summary>DataMax − DataMin per feature (scikit-learn's <c>data_range_</c>).</summary>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    public IReadOnlyList<double> DataRange => DataMax.Zip(DataMin, (max, min) => max - min).ToArray();

    /// <summary>The multiplier per feature, (max − min) / DataRange, with a zero range counted as 1 (scikit-learn's <c>scale_</c>).</summary>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    public IReadOnlyList<double> Scale => FittedMap.Scale.AsReadOnly();

    /// <summary>The addend per feature, min − DataMin · Scale (scikit-learn's <c>min_</c>).</summary>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    public IReadOnlyList<double> Offset => FittedMap.Center.Select((c, f) => FittedMap.Shift[f] - c * FittedMap.Scale[f]).ToArray();

    /// <summary>Loads a MinMaxScaler saved with <see cref="IScaler.Save"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The fitted scaler.</returns>
    /// <exception cref="SequenceKitException">The file is corrupt or holds another scaler type.</exception>
    public static new MinMaxScaler Load(string path) => LoadAs<MinMaxScaler>(path);

    private protected override (double Low, double High)? ClipRange =>
        Options.Clip ? (Options.FeatureRangeMin, Options.FeatureRangeMax) : null;

    private protected override void ComputeMap(FeatureStatistics stats, double[] center, double[] scale, double[] shift)
    {
        var width = Options.FeatureRangeMax - Options.FeatureRangeMin;
        for (var f = 0; f < stats.FeatureCount; f++)
        {
            var range = stats.Max[f] - stats.Min[f];
            center[f] = stats.Count[f] == 0 ? double.NaN : stats.Min[f];
            scale[f] = width / (range == 0 ? 1 : range);
            shift[f] = Options.FeatureRangeMin;
        }
    }

    private protected override JsonNode OptionsToJson(JsonSerializerOptions json) => JsonSerializer.SerializeToNode(Options, json)!;
}
