using System.Text.Json;
using System.Text.Json.Nodes;

namespace SequenceKit.Preprocessing;

/// <summary>
/// Standardizes each feature to zero mean and unit variance, as scikit-learn's <c>StandardScaler</c>:
/// <c>y = (x − Mean) / Scale</c> with the population standard deviation. A constant feature (variance 0, or within
/// rounding of 0 by scikit-learn's bound n·ε·var + (n·mean·ε)² with ε = 2.2e-16) gets scale 1 and maps to about 0.
/// The statistics cannot overflow: values up to ±1.8e308 give a finite mean and deviation (where scikit-learn's
/// variance overflows to infinity and it then treats the feature as constant). NaN is ignored when fitting and stays
/// NaN; ±Infinity is rejected.
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
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="PreprocessingFileException">The file is corrupt (its hash does not match), inconsistent, or holds another scaler type; the message names the file.</exception>
    public static new StandardScaler Load(string path) => LoadAs<StandardScaler>(path);

    /// <summary>The gap between 1 and the next double, 2^-52 (NumPy's <c>finfo(float64).eps</c>).</summary>
    private const double MachineEpsilon = 2.220446049250313e-16;

    private protected override void ComputeMap(FeatureStatistics stats, double[] center, double[] scale, double[] shift)
    {
        for (var f = 0; f < stats.FeatureCount; f++)
        {
            var n = (double)stats.Count[f];
            var mean = n == 0 ? double.NaN : stats.Mean[f];
            // scikit-learn's _is_constant_feature: a variance within the rounding error of its own computation
            // (n·ε·var + (n·mean·ε)², ε the machine epsilon 2.2e-16) counts as zero, and the feature gets scale 1.
            // Evaluated in the statistics' scaled units (the bound scales like the variance), so it cannot overflow.
            var (variance, scaledMean) = stats.Scaled(f);
            var roundingBound = n * MachineEpsilon * variance + Math.Pow(n * scaledMean * MachineEpsilon, 2);
            var deviation = variance <= roundingBound ? 1 : stats.StandardDeviation(f);
            var divisor = Options.WithStd ? deviation : 1;
            center[f] = Options.WithMean ? mean : 0;
            scale[f] = 1 / divisor;
            shift[f] = 0;
        }
    }

    private protected override JsonNode OptionsToJson(JsonSerializerOptions json) => JsonSerializer.SerializeToNode(Options, json)!;
}
