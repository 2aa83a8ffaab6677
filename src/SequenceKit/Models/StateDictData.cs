using System.Runtime.InteropServices;
using SequenceKit.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Models;

/// <summary>
/// A module's weights as written by TorchSharp's <c>Module.save</c>, checked and read in managed code: the entry
/// count, every name, dtype code, rank, dimension and byte count must match the module's own state dict before a
/// tensor is created. The result is a set of scratch tensors; <see cref="CopyInto"/> then copies them into the module
/// (a copy between tensors of equal shape and dtype, which cannot fail halfway through a bad file). This is how model
/// files and checkpoints load weights: a rejected file leaves the module exactly as it was.
/// </summary>
internal sealed class StateDictData : IDisposable
{
    private readonly Dictionary<string, Tensor> tensors;

    private StateDictData(Dictionary<string, Tensor> tensors) => this.tensors = tensors;

    /// <summary>Checks <paramref name="bytes"/> against <paramref name="module"/> and reads them into scratch CPU tensors.</summary>
    /// <param name="bytes">The state dict's bytes.</param>
    /// <param name="module">The module the weights are for (only read).</param>
    /// <param name="part">The part's name for messages, e.g. "weights.dat".</param>
    /// <param name="requireFinite">Refuse NaN or infinite floating-point values.</param>
    /// <exception cref="InvalidDataException">The bytes do not fit the module; the message names the part, the offset and what differs.</exception>
    public static StateDictData Read(byte[] bytes, nn.Module module, string part, bool requireFinite)
    {
        var expected = module.state_dict();
        var reader = new TorchBinaryReader(bytes, part);
        var count = reader.ReadCount("the number of tensors", SequenceKitLimits.MaxArchiveEntries * 16L);
        if (count != expected.Count) throw reader.Problem($"it holds {count} tensors; the model has {expected.Count}");
        var places = new List<(string Name, int Offset, int Length)>();
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadString($"the name of tensor {i}");
            if (!expected.TryGetValue(name, out var target))
                throw reader.Problem($"tensor '{name}' is not a parameter of the model (it has: {string.Join(", ", expected.Keys)})");
            if (places.Any(p => p.Name == name)) throw reader.Problem($"tensor '{name}' appears twice");
            var (offset, length) = reader.ReadTensor($"tensor '{name}'", target.dtype, target.shape, (int)target.ElementSize);
            if (requireFinite && NonFinite(bytes.AsSpan(offset, length), target.dtype) is { } index)
                throw reader.Problem($"tensor '{name}' holds a NaN or infinite value at element {index}", offset);
            places.Add((name, offset, length));
        }
        reader.ExpectEnd();

        var scratch = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, offset, length) in places)
            {
                var target = expected[name];
                var tensor = empty(target.shape, dtype: target.dtype, device: CPU);
                scratch[name] = tensor;
                tensor.bytes = bytes.AsSpan(offset, length);
            }
            return new StateDictData(scratch);
        }
        catch
        {
            foreach (var t in scratch.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>Copies the scratch tensors into the module's parameters and buffers (on whatever device they are).</summary>
    public void CopyInto(nn.Module module)
    {
        using var _ = no_grad();
        foreach (var (name, target) in module.state_dict())
            target.copy_(tensors[name]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in tensors.Values) t.Dispose();
        tensors.Clear();
    }

    /// <summary>The index of the first NaN or infinity in floating-point data, or null.</summary>
    internal static long? NonFinite(ReadOnlySpan<byte> data, ScalarType type)
    {
        switch (type)
        {
            case ScalarType.Float32:
                var floats = MemoryMarshal.Cast<byte, float>(data);
                for (var i = 0; i < floats.Length; i++) if (!float.IsFinite(floats[i])) return i;
                return null;
            case ScalarType.Float64:
                var doubles = MemoryMarshal.Cast<byte, double>(data);
                for (var i = 0; i < doubles.Length; i++) if (!double.IsFinite(doubles[i])) return i;
                return null;
            default:
                return null;
        }
    }
}
