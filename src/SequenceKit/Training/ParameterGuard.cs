using SequenceKit.Models;
using SequenceKit.Training.Callbacks;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SequenceKit.Training;

/// <summary>
/// The trainer's guard against an optimizer step that leaves a parameter NaN or infinite (a bad hyperparameter, a custom
/// optimizer, an overflow): after each step one reduction over all parameters (one float64 sum per parameter, stacked,
/// one host sync) tells whether all are finite; when not, the weights are put back to the copy taken at the start of
/// the epoch. The per-parameter look-up that names the offenders runs only after a failure.
/// </summary>
internal sealed class ParameterGuard(SequenceModel model) : IDisposable
{
    private readonly (string Name, Parameter Value)[] parameters = model.named_parameters().ToArray();
    private WeightSnapshot? epochStart;

    /// <summary>Takes the copy that a failed step rolls back to.</summary>
    public void BeginEpoch()
    {
        epochStart?.Dispose();
        epochStart = new WeightSnapshot(model);
    }

    /// <summary>Whether every parameter is finite: a NaN or ±Inf anywhere makes the float64 total non-finite.</summary>
    public bool AllFinite()
    {
        if (parameters.Length == 0) return true;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var sums = stack(parameters.Select(p => p.Value.sum(ScalarType.Float64)).ToArray());     // (parameters)
        return isfinite(sums.sum()).item<bool>();
    }

    /// <summary>The names of the parameters holding a NaN or an infinity (after <see cref="AllFinite"/> said false).</summary>
    public IReadOnlyList<string> NonFinite()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return parameters.Where(p => !isfinite(p.Value).all().item<bool>()).Select(p => p.Name).ToArray();
    }

    /// <summary>Puts back the weights from the start of the epoch.</summary>
    public void RollBack() => epochStart?.Restore();

    public void Dispose()
    {
        epochStart?.Dispose();
        epochStart = null;
    }
}
