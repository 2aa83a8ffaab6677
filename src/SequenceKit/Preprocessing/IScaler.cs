using TorchSharp;

namespace SequenceKit.Preprocessing;

/// <summary>
/// A fitted per-feature scaling with scikit-learn's contract: <c>Fit</c>/<c>PartialFit</c> learn statistics from training
/// data, <c>Transform</c>/<c>InverseTransform</c> apply them. The last axis is the feature axis. Implemented by
/// <see cref="MinMaxScaler"/> and <see cref="StandardScaler"/>; a model can carry its scalers (see
/// <c>SequenceModel.Scalers</c>) so inference applies exactly the preprocessing training used.
/// </summary>
public interface IScaler
{
    /// <summary>True once <c>Fit</c> or <c>PartialFit</c> has seen data.</summary>
    bool IsFitted { get; }

    /// <summary>The number of features seen when fitting (scikit-learn's <c>n_features_in_</c>); 0 before fitting.</summary>
    int FeatureCount { get; }

    /// <summary>Rows seen when fitting: samples for 2-D data, samples × time steps for 3-D data (scikit-learn's <c>n_samples_seen_</c>).</summary>
    long SamplesSeen { get; }

    /// <summary>The non-NaN values seen per feature (equal to <see cref="SamplesSeen"/> when there was no NaN).</summary>
    IReadOnlyList<long> ValuesSeenPerFeature { get; }

    /// <summary>The fitted state and options as JSON, readable by <see cref="Scaler.FromJson"/>.</summary>
    /// <returns>The JSON text.</returns>
    string ToJson();

    /// <summary>Saves <see cref="ToJson"/> to a file, atomically (temporary file, then rename).</summary>
    /// <param name="path">The file to write.</param>
    void Save(string path);

    /// <summary>Forgets any earlier fit and learns the per-feature statistics of <paramref name="data"/> in one pass. NaN values are ignored.</summary>
    /// <param name="data">
    /// Samples × features (<c>float[,]</c>, <c>double[,]</c>, <c>float[][]</c> rows, …), samples × time × features
    /// (statistics per feature over all samples and steps), one feature as a vector (<c>double[]</c>), or a tensor whose
    /// last axis is the features. Integer arrays are read as doubles. See <see cref="NumericArray"/>.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException">The data is empty, ragged, or holds ±Infinity (nothing is changed then).</exception>
    void Fit(NumericArray data);

    /// <summary>
    /// Adds <paramref name="data"/> to the statistics learned so far (scikit-learn's <c>partial_fit</c>), for data that
    /// arrives in chunks; the result equals one <see cref="Fit"/> on all chunks together.
    /// </summary>
    /// <param name="data">As for <see cref="Fit"/>, with the same number of features as before.</param>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException">The feature count differs from earlier data, or the data is empty, ragged or holds ±Infinity (nothing is changed then).</exception>
    void PartialFit(NumericArray data);

    /// <summary>Scales <paramref name="data"/> with the fitted statistics; NaN stays NaN.</summary>
    /// <typeparam name="T">
    /// The data's type, which is also the result's: <c>float</c> or <c>double</c> arrays of rank 1 (one feature), 2 or 3,
    /// <c>float[][]</c>/<c>double[][]</c> rows, or a tensor (float32 stays float32, float64 float64).
    /// </typeparam>
    /// <param name="data">Values with the fitted number of features in the last axis (one feature for a vector).</param>
    /// <returns>A new array or tensor of the same type and shape.</returns>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    /// <exception cref="ArgumentException">The type is not supported, the feature count differs from the fit, or the values hold ±Infinity.</exception>
    T Transform<T>(T data) where T : class;

    /// <summary>Maps scaled values back to original units: the inverse of <see cref="Transform{T}"/>.</summary>
    /// <typeparam name="T">As for <see cref="Transform{T}"/>.</typeparam>
    /// <param name="data">Scaled values with the fitted number of features in the last axis.</param>
    /// <returns>A new array or tensor of the same type and shape.</returns>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    /// <exception cref="ArgumentException">The type is not supported, the feature count differs from the fit, or the values hold ±Infinity.</exception>
    T InverseTransform<T>(T data) where T : class;

    /// <summary><see cref="Fit"/> then <see cref="Transform{T}"/> on the same data.</summary>
    /// <typeparam name="T">As for <see cref="Transform{T}"/>.</typeparam>
    /// <param name="data">As for <see cref="Fit"/>, in a type <see cref="Transform{T}"/> returns.</param>
    /// <returns>The scaled data, of the same type and shape.</returns>
    /// <exception cref="ArgumentException">As for <see cref="Fit"/> and <see cref="Transform{T}"/> (nothing is fitted then).</exception>
    T FitTransform<T>(T data) where T : class;
}
