using SequenceKit.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Training.Callbacks;

/// <summary>A detached copy of a model's parameters and buffers that can be written back.</summary>
internal sealed class WeightSnapshot : IDisposable
{
    private readonly List<(Tensor Target, Tensor Copy)> pairs = [];

    public WeightSnapshot(SequenceModel model)
    {
        using var scope = NewDisposeScope();          // frees the detach() handles; the copies leave the scope
        using var _ = no_grad();
        foreach (var (_, tensor) in model.state_dict())
            pairs.Add((tensor, tensor.detach().clone().DetachFromDisposeScope()));
    }

    public void Restore()
    {
        using var _ = no_grad();
        foreach (var (target, copy) in pairs) target.copy_(copy);
    }

    public void Dispose()
    {
        foreach (var (_, copy) in pairs) copy.Dispose();
        pairs.Clear();
    }
}
