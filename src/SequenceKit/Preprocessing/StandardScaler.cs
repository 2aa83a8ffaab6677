using System.Text.Json;
using System.Text.Json.Nodes;

namespace SequenceKit.Preprocessing;

/// <summary>
/// Standardizes each feature to zero mean and unit variance, as scikit-learn's <c>StandardScaler</c>:
/// <c>y = (x − Mean) / Scale</c> with the population standard deviation. A constant feature (variance 0, or within
/// rounding of 0) gets scale 1 and maps to 0. NaN is ignored when fitting and stays NaN; ±Infinity is rejected.
/// </summary>
public sealed class StandardScaler : Scaler
{
    /// <summary>Creates an unfitted scaler.</summary>
    /// <param name="options">Whether to centre and to scale; null for both.</param>
    public StandardScaler(StandardScalerOptions? options = null) => Options = options ?? new StandardScalerOptions();

    /// <summary>The scaler's options.</summary>
    public StandardScalerOptions Options { get; }

    /// <summary>Each feature's mean over the non-NaN values fitted (scikit-learn's <c>mean_</c>).</summary>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    public IReadOnlyList<double> Mean => Statistics.Mean.Select((m, f) => Statistics.Count[f] == 0 ? double.NaN : m).ToArray();

    /// <summary>Each feature's population variance (scikit-learn's <c>var_</c>).</summary>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    public IReadOnlyList<double> Variance => Enumerable.Range(0, FeatureCount).Select(Statistics.Variance).ToArray();

    /// <summary>The divisor per feature: the standard deviation, 1 for a constant feature or without <see cref="StandardScalerOptions.WithStd"/> (scikit-learn's <c>scale_</c>).</summary>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    public IReadOnlyList<double> Scale => FittedMap.Scale.Select(s => 1 / s).ToArray();

    /// <summary>Loads a StandardScaler saved with <see cref="IScaler.Save"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The fitted scaler.</returns>
    /// <exception cref="SequenceKitException">The file is corrupt or holds another scaler type.</exception>
    public static new StandardScaler Load(string path) => LoadAs<StandardScaler>(path);

    private protected override void ComputeMap(FeatureStatistics stats, double[] center, double[] scale, double[] shift)
    {
        for (var f = 0; f < stats.FeatureCount; f++)
        {
            var n = (double)stats.Count[f];
            var mean = n == 0 ? double.NaN : stats.Mean[f];
            var variance = stats.Variance(f);
            // A variance within the rounding error of its own computation counts as zero (a constant feature).
            var roundingBound = n * double.Epsilon * variance + Math.Pow(n * mean * double.Epsilon, 2);
            var deviation = variance <= roundingBound ? 1 : Math.Sqrt(variance);
            var divisor = Options.WithStd ? deviation : 1;
            center[f] = Options.WithMean ? mean : 0;
            scale[f] = 1 / divisor;
            shift[f] = 0;
        }
    }

    private protected override JsonNode OptionsToJson(JsonSerializerOptions json) => JsonSerializer.SerializeToNode(Options, json)!;
}
