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
    /// <param name="data">2-D (samples × features) floats.</param>
    /// <exception cref="ArgumentException">The data is empty, ragged, or holds ±Infinity (nothing is changed then).</exception>
    void Fit(float[,] data);

    /// <summary>Forgets any earlier fit and learns the per-feature statistics of <paramref name="data"/> in one pass. NaN values are ignored.</summary>
    /// <param name="data">3-D (samples × time × features) floats; statistics per feature over all samples and time steps.</param>
    /// <exception cref="ArgumentException">The data is empty, ragged, or holds ±Infinity (nothing is changed then).</exception>
    void Fit(float[,,] data);

    /// <summary>Forgets any earlier fit and learns the per-feature statistics of <paramref name="data"/> in one pass. NaN values are ignored.</summary>
    /// <param name="data">Rows of features (every row the same length).</param>
    /// <exception cref="ArgumentException">The data is empty, ragged, or holds ±Infinity (nothing is changed then).</exception>
    void Fit(float[][] data);

    /// <summary>Forgets any earlier fit and learns the per-feature statistics of <paramref name="data"/> in one pass. NaN values are ignored.</summary>
    /// <param name="data">2-D (samples × features) doubles.</param>
    /// <exception cref="ArgumentException">The data is empty, ragged, or holds ±Infinity (nothing is changed then).</exception>
    void Fit(double[,] data);

    /// <summary>Forgets any earlier fit and learns the per-feature statistics of <paramref name="data"/> in one pass. NaN values are ignored.</summary>
    /// <param name="data">3-D (samples × time × features) doubles.</param>
    /// <exception cref="ArgumentException">The data is empty, ragged, or holds ±Infinity (nothing is changed then).</exception>
    void Fit(double[,,] data);

    /// <summary>Forgets any earlier fit and learns the per-feature statistics of <paramref name="data"/> in one pass. NaN values are ignored.</summary>
    /// <param name="data">a float32 or float64 tensor of rank 2 (samples, features) or 3 (samples, time, features), on any device.</param>
    /// <exception cref="ArgumentException">The data is empty, ragged, or holds ±Infinity (nothing is changed then).</exception>
    void Fit(torch.Tensor data);

    /// <summary>Adds <paramref name="data"/> to the statistics learned so far (streaming, batch by batch); any split of the data gives the same result as one <c>Fit</c>. NaN values are ignored.</summary>
    /// <param name="data">2-D (samples × features) floats.</param>
    /// <exception cref="ArgumentException">The data is empty, ragged, holds ±Infinity, or has a different feature count from earlier batches (nothing is changed then).</exception>
    void PartialFit(float[,] data);

    /// <summary>Adds <paramref name="data"/> to the statistics learned so far (streaming, batch by batch); any split of the data gives the same result as one <c>Fit</c>. NaN values are ignored.</summary>
    /// <param name="data">3-D (samples × time × features) floats; statistics per feature over all samples and time steps.</param>
    /// <exception cref="ArgumentException">The data is empty, ragged, holds ±Infinity, or has a different feature count from earlier batches (nothing is changed then).</exception>
    void PartialFit(float[,,] data);

    /// <summary>Adds <paramref name="data"/> to the statistics learned so far (streaming, batch by batch); any split of the data gives the same result as one <c>Fit</c>. NaN values are ignored.</summary>
    /// <param name="data">Rows of features (every row the same length).</param>
    /// <exception cref="ArgumentException">The data is empty, ragged, holds ±Infinity, or has a different feature count from earlier batches (nothing is changed then).</exception>
    void PartialFit(float[][] data);

    /// <summary>Adds <paramref name="data"/> to the statistics learned so far (streaming, batch by batch); any split of the data gives the same result as one <c>Fit</c>. NaN values are ignored.</summary>
    /// <param name="data">2-D (samples × features) doubles.</param>
    /// <exception cref="ArgumentException">The data is empty, ragged, holds ±Infinity, or has a different feature count from earlier batches (nothing is changed then).</exception>
    void PartialFit(double[,] data);

    /// <summary>Adds <paramref name="data"/> to the statistics learned so far (streaming, batch by batch); any split of the data gives the same result as one <c>Fit</c>. NaN values are ignored.</summary>
    /// <param name="data">3-D (samples × time × features) doubles.</param>
    /// <exception cref="ArgumentException">The data is empty, ragged, holds ±Infinity, or has a different feature count from earlier batches (nothing is changed then).</exception>
    void PartialFit(double[,,] data);

    /// <summary>Adds <paramref name="data"/> to the statistics learned so far (streaming, batch by batch); any split of the data gives the same result as one <c>Fit</c>. NaN values are ignored.</summary>
    /// <param name="data">a float32 or float64 tensor of rank 2 (samples, features) or 3 (samples, time, features), on any device.</param>
    /// <exception cref="ArgumentException">The data is empty, ragged, holds ±Infinity, or has a different feature count from earlier batches (nothing is changed then).</exception>
    void PartialFit(torch.Tensor data);

    /// <summary>Scales <paramref name="data"/> with the fitted statistics into a new array (or tensor, on the input's device) of the same shape. NaN stays NaN.</summary>
    /// <param name="data">2-D (samples × features) floats.</param>
    /// <returns>The scaled data.</returns>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    /// <exception cref="ArgumentException">The feature count differs from the fit, or the data is empty, ragged or holds ±Infinity.</exception>
    float[,] Transform(float[,] data);

    /// <summary>Scales <paramref name="data"/> with the fitted statistics into a new array (or tensor, on the input's device) of the same shape. NaN stays NaN.</summary>
    /// <param name="data">3-D (samples × time × features) floats; statistics per feature over all samples and time steps.</param>
    /// <returns>The scaled data.</returns>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    /// <exception cref="ArgumentException">The feature count differs from the fit, or the data is empty, ragged or holds ±Infinity.</exception>
    float[,,] Transform(float[,,] data);

    /// <summary>Scales <paramref name="data"/> with the fitted statistics into a new array (or tensor, on the input's device) of the same shape. NaN stays NaN.</summary>
    /// <param name="data">Rows of features (every row the same length).</param>
    /// <returns>The scaled data.</returns>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    /// <exception cref="ArgumentException">The feature count differs from the fit, or the data is empty, ragged or holds ±Infinity.</exception>
    float[][] Transform(float[][] data);

    /// <summary>Scales <paramref name="data"/> with the fitted statistics into a new array (or tensor, on the input's device) of the same shape. NaN stays NaN.</summary>
    /// <param name="data">2-D (samples × features) doubles.</param>
    /// <returns>The scaled data.</returns>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    /// <exception cref="ArgumentException">The feature count differs from the fit, or the data is empty, ragged or holds ±Infinity.</exception>
    double[,] Transform(double[,] data);

    /// <summary>Scales <paramref name="data"/> with the fitted statistics into a new array (or tensor, on the input's device) of the same shape. NaN stays NaN.</summary>
    /// <param name="data">3-D (samples × time × features) doubles.</param>
    /// <returns>The scaled data.</returns>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    /// <exception cref="ArgumentException">The feature count differs from the fit, or the data is empty, ragged or holds ±Infinity.</exception>
    double[,,] Transform(double[,,] data);

    /// <summary>Scales <paramref name="data"/> with the fitted statistics into a new array (or tensor, on the input's device) of the same shape. NaN stays NaN.</summary>
    /// <param name="data">a float32 or float64 tensor of rank 2 (samples, features) or 3 (samples, time, features), on any device.</param>
    /// <returns>The scaled data.</returns>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    /// <exception cref="ArgumentException">The feature count differs from the fit, or the data is empty, ragged or holds ±Infinity.</exception>
    torch.Tensor Transform(torch.Tensor data);

    /// <summary>Maps scaled data back to the original units (the inverse of <c>Transform</c>, clipping aside).</summary>
    /// <param name="data">2-D (samples × features) floats.</param>
    /// <returns>The data in original units.</returns>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    /// <exception cref="ArgumentException">The feature count differs from the fit, or the data is empty, ragged or holds ±Infinity.</exception>
    float[,] InverseTransform(float[,] data);

    /// <summary>Maps scaled data back to the original units (the inverse of <c>Transform</c>, clipping aside).</summary>
    /// <param name="data">3-D (samples × time × features) floats; statistics per feature over all samples and time steps.</param>
    /// <returns>The data in original units.</returns>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    /// <exception cref="ArgumentException">The feature count differs from the fit, or the data is empty, ragged or holds ±Infinity.</exception>
    float[,,] InverseTransform(float[,,] data);

    /// <summary>Maps scaled data back to the original units (the inverse of <c>Transform</c>, clipping aside).</summary>
    /// <param name="data">Rows of features (every row the same length).</param>
    /// <returns>The data in original units.</returns>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    /// <exception cref="ArgumentException">The feature count differs from the fit, or the data is empty, ragged or holds ±Infinity.</exception>
    float[][] InverseTransform(float[][] data);

    /// <summary>Maps scaled data back to the original units (the inverse of <c>Transform</c>, clipping aside).</summary>
    /// <param name="data">2-D (samples × features) doubles.</param>
    /// <returns>The data in original units.</returns>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    /// <exception cref="ArgumentException">The feature count differs from the fit, or the data is empty, ragged or holds ±Infinity.</exception>
    double[,] InverseTransform(double[,] data);

    /// <summary>Maps scaled data back to the original units (the inverse of <c>Transform</c>, clipping aside).</summary>
    /// <param name="data">3-D (samples × time × features) doubles.</param>
    /// <returns>The data in original units.</returns>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    /// <exception cref="ArgumentException">The feature count differs from the fit, or the data is empty, ragged or holds ±Infinity.</exception>
    double[,,] InverseTransform(double[,,] data);

    /// <summary>Maps scaled data back to the original units (the inverse of <c>Transform</c>, clipping aside).</summary>
    /// <param name="data">a float32 or float64 tensor of rank 2 (samples, features) or 3 (samples, time, features), on any device.</param>
    /// <returns>The data in original units.</returns>
    /// <exception cref="InvalidOperationException">The scaler is not fitted yet.</exception>
    /// <exception cref="ArgumentException">The feature count differs from the fit, or the data is empty, ragged or holds ±Infinity.</exception>
    torch.Tensor InverseTransform(torch.Tensor data);

    /// <summary><c>Fit</c> then <c>Transform</c> on the same data. Use it on training data only; transform validation and test data with the statistics learned here.</summary>
    /// <param name="data">2-D (samples × features) floats.</param>
    /// <returns>The scaled data.</returns>
    /// <exception cref="ArgumentException">The data is empty, ragged, or holds ±Infinity.</exception>
    float[,] FitTransform(float[,] data);

    /// <summary><c>Fit</c> then <c>Transform</c> on the same data. Use it on training data only; transform validation and test data with the statistics learned here.</summary>
    /// <param name="data">3-D (samples × time × features) floats; statistics per feature over all samples and time steps.</param>
    /// <returns>The scaled data.</returns>
    /// <exception cref="ArgumentException">The data is empty, ragged, or holds ±Infinity.</exception>
    float[,,] FitTransform(float[,,] data);

    /// <summary><c>Fit</c> then <c>Transform</c> on the same data. Use it on training data only; transform validation and test data with the statistics learned here.</summary>
    /// <param name="data">Rows of features (every row the same length).</param>
    /// <returns>The scaled data.</returns>
    /// <exception cref="ArgumentException">The data is empty, ragged, or holds ±Infinity.</exception>
    float[][] FitTransform(float[][] data);

    /// <summary><c>Fit</c> then <c>Transform</c> on the same data. Use it on training data only; transform validation and test data with the statistics learned here.</summary>
    /// <param name="data">2-D (samples × features) doubles.</param>
    /// <returns>The scaled data.</returns>
    /// <exception cref="ArgumentException">The data is empty, ragged, or holds ±Infinity.</exception>
    double[,] FitTransform(double[,] data);

    /// <summary><c>Fit</c> then <c>Transform</c> on the same data. Use it on training data only; transform validation and test data with the statistics learned here.</summary>
    /// <param name="data">3-D (samples × time × features) doubles.</param>
    /// <returns>The scaled data.</returns>
    /// <exception cref="ArgumentException">The data is empty, ragged, or holds ±Infinity.</exception>
    double[,,] FitTransform(double[,,] data);

    /// <summary><c>Fit</c> then <c>Transform</c> on the same data. Use it on training data only; transform validation and test data with the statistics learned here.</summary>
    /// <param name="data">a float32 or float64 tensor of rank 2 (samples, features) or 3 (samples, time, features), on any device.</param>
    /// <returns>The scaled data.</returns>
    /// <exception cref="ArgumentException">The data is empty, ragged, or holds ±Infinity.</exception>
    torch.Tensor FitTransform(torch.Tensor data);
}
