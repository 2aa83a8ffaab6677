using System.Collections;
using System.Reflection;
using SequenceKit.Models;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace SequenceKit.PyTorch;

/// <summary>
/// Reads a <c>torch.save</c> state_dict as <c>torch.load</c> does, including tensors that are views of one storage
/// (tied or packed weights, slices of a buffer): each entry is rebuilt from its storage with its own storage offset,
/// sizes and strides, then copied so that it owns its values. PyBridge's own reader sizes each tensor's buffer by the
/// tensor rather than by the storage, so it refuses such files; here PyBridge only unpickles (with
/// <c>skipTensorRead</c>, nothing is read or executed) and the storages are read here, once each, and only as far as the
/// views reach. Every offset and stride is checked against the storage before a view is taken.
/// </summary>
internal static class PyTorchStateDict
{
    /// <summary>The most elements one storage may be read to: 2^31 (8 GiB of float32), the layers' cap per parameter.</summary>
    private const long MaxStorageElements = 1L << 31;

    /// <summary>Reads the entries' descriptions (names, shapes), without reading any tensor data.</summary>
    /// <param name="path">The file, for messages.</param>
    /// <param name="stream">The open file; it must stay open until <see cref="Materialize"/> has run.</param>
    public static Dictionary<string, View> Describe(string path, Stream stream)
    {
        var table = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true, skipTensorRead: true);
        var result = new Dictionary<string, View>(StringComparer.Ordinal);
        try
        {
            foreach (DictionaryEntry entry in table)
            {
                if (entry.Key is not string name || entry.Value is null)
                    throw new ModelFileException(path, $"it holds an entry '{entry.Key}' of type {entry.Value?.GetType().Name ?? "null"}; a state_dict holds only named tensors.");
                result[name] = View.From(path, name, entry.Value);
            }
            return result;
        }
        catch
        {
            foreach (DictionaryEntry entry in table) (View.DataOf(entry.Value) as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>Closes the entries' data streams without reading them (when a check failed before <see cref="Materialize"/>).</summary>
    public static void Discard(IReadOnlyDictionary<string, View> views)
    {
        foreach (var view in views.Values) view.Data.Dispose();
    }

    /// <summary>Reads each storage once (up to the farthest element a view uses) and takes every view from it; closes every data stream.</summary>
    /// <returns>One tensor per entry, each owning its values (CPU).</returns>
    public static Dictionary<string, Tensor> Materialize(string path, IReadOnlyDictionary<string, View> views)
    {
        var storages = new Dictionary<int, Tensor>();
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            // Per storage: the view that reaches farthest into it, and how many elements it needs (an empty view needs none).
            var farthest = views.GroupBy(v => v.Value.Storage)
                .ToDictionary(g => g.Key, g => g.Select(v => (Name: v.Key, Reach: v.Value.Reach())).MaxBy(v => v.Reach));
            foreach (var (name, view) in views)
            {
                if (!storages.TryGetValue(view.Storage, out var storage))
                {
                    var (farthestName, reach) = farthest[view.Storage];
                    storage = ReadStorage(path, farthestName, view, reach);
                    storages[view.Storage] = storage;
                }
                using var strided = storage.as_strided(view.Shape, view.Stride, view.Offset);
                result[name] = strided.clone();                         // contiguous, owns its values
            }
            return result;
        }
        catch
        {
            foreach (var tensor in result.Values) tensor.Dispose();
            throw;
        }
        finally
        {
            foreach (var storage in storages.Values) storage.Dispose();
            foreach (var view in views.Values) view.Data.Dispose();
        }
    }

    private static Tensor ReadStorage(string path, string name, View view, long elements)
    {
        if (elements > MaxStorageElements)
            throw new ModelFileException(path, $"entry '{name}' reaches element {elements:N0} of its storage; the cap is {MaxStorageElements:N0} elements (2^31).");
        using var probe = empty(0, view.DType);
        var bytes = checked((int)Math.Min(int.MaxValue, elements * probe.ElementSize));
        if (elements * probe.ElementSize > int.MaxValue)
            throw new ModelFileException(path, $"entry '{name}' needs {elements * probe.ElementSize:N0} bytes of its storage, more than one read can hold (2 GiB).");
        var buffer = new byte[bytes];
        var read = 0;
        while (read < bytes)
        {
            var n = view.Data.Read(buffer, read, bytes - read);
            if (n == 0)
                throw new ModelFileException(path, $"entry '{name}' reaches element {elements:N0} of its storage (storage offset, sizes and strides), but the storage holds only {read / probe.ElementSize:N0} elements.");
            read += n;
        }
        var storage = empty(elements, view.DType);                    // (elements), the storage's prefix the views use
        storage.bytes = buffer;
        return storage;
    }

    /// <summary>One entry: its storage (by archive entry), dtype, offset, sizes and strides, and its storage's data stream.</summary>
    internal sealed record View(int Storage, ScalarType DType, long Offset, long[] Shape, long[] Stride, Stream Data)
    {
        /// <summary>Elements of the storage the view needs: offset + Σ (size − 1)·stride + 1, or 0 for an empty view.</summary>
        public long Reach()
        {
            if (Shape.Any(s => s == 0)) return 0;
            var last = (Int128)Offset;
            for (var i = 0; i < Shape.Length; i++) last += (Int128)(Shape[i] - 1) * Stride[i];
            return last >= MaxStorageElements ? MaxStorageElements + 1 : (long)last + 1;
        }

        // PyBridge 1.4's descriptor (TensorConstructorArgs) is internal; its properties are read by name, and a
        // PyBridge without them gives a clear error instead of a wrong tensor.
        public static View From(string path, string name, object descriptor)
        {
            if (descriptor is Tensor)
                throw new ModelFileException(path, $"entry '{name}' was read as a tensor; this PyBridge version does not support deferred reads.");
            var type = descriptor.GetType();
            T Get<T>(string property) => type.GetProperty(property, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(descriptor) is T value
                ? value
                : throw new ModelFileException(path, $"entry '{name}' is a {type.Name} without a readable {property}; this TorchSharp.PyBridge version is not supported (SequenceKit.PyTorch is built against 1.4.4).");
            var view = new View(Get<int>("ArchiveIndex"), Get<ScalarType>("DType"), Get<int>("StorageOffset"), Get<long[]>("Shape"), Get<long[]>("Stride"), Get<Stream>("Data"));
            if (view.Shape.Length != view.Stride.Length || view.Shape.Any(s => s < 0) || view.Stride.Any(s => s < 0) || view.Offset < 0)
            {
                view.Data.Dispose();
                throw new ModelFileException(path,
                    $"entry '{name}' has sizes [{string.Join(", ", view.Shape)}], strides [{string.Join(", ", view.Stride)}] and storage offset {view.Offset}; " +
                    "sizes and strides must pair up and none may be negative.");
            }
            return view;
        }

        public static object? DataOf(object? descriptor) =>
            descriptor?.GetType().GetProperty("Data", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(descriptor);
    }
}
