using SequenceKit.IO;
using SequenceKit.Models;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace SequenceKit.PyTorch;

/// <summary>
/// Model weights as a PyTorch state_dict (<c>.pth</c>/<c>.pt</c>, read and written by TorchSharp.PyBridge) or a
/// safetensors file. Files are read only as dictionaries of tensors (nothing in them is executed), and every name,
/// shape and value is checked against the model before any weight is changed.
/// </summary>
internal static class WeightFile
{
    private enum Format { PyTorch, Safetensors }

    public static void Save(SequenceModel model, string path)
    {
        var format = FormatOf(path);
        var state = model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().cpu());
        try
        {
            AtomicFile.Write(path, stream =>
            {
                if (format == Format.Safetensors) Safetensors.SaveStateDict(stream, state, leaveOpen: true);
                else PyTorchPickler.PickleStateDict(stream, state, leaveOpen: true);
            });
        }
        finally
        {
            foreach (var tensor in state.Values) tensor.Dispose();
        }
    }

    public static void Load(SequenceModel model, string path)
    {
        var format = FormatOf(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No weight file at '{path}'.", path);
        Dictionary<string, Tensor> loaded;
        try
        {
            using var stream = File.OpenRead(path);
            if (format == Format.Safetensors)
            {
                loaded = Safetensors.LoadStateDict(stream, leaveOpen: false);
            }
            else
            {
                // Names and shapes are checked before any tensor data is read; views of a shared storage load as torch loads them.
                var views = PyTorchStateDict.Describe(path, stream);
                try
                {
                    CheckShapes(model, path, views.ToDictionary(v => v.Key, v => v.Value.Shape));
                }
                catch
                {
                    PyTorchStateDict.Discard(views);
                    throw;
                }
                loaded = PyTorchStateDict.Materialize(path, views);
            }
        }
        catch (Exception e) when (e is not ModelFileException and not OutOfMemoryException)
        {
            throw new ModelFileException(path, $"it is not a readable {(format == Format.Safetensors ? "safetensors" : "PyTorch state_dict")} file ({e.GetType().Name}: {e.Message}).", e);
        }

        try
        {
            CheckShapes(model, path, loaded.ToDictionary(p => p.Key, p => p.Value.shape));
            var expected = model.state_dict();
            foreach (var (name, tensor) in expected)
            {
                var value = loaded[name];
                if (!is_floating_point(value))
                    throw new ModelFileException(path, $"parameter '{name}' holds {value.dtype} values; expected floating point.");
                if (!isfinite(value).all().item<bool>())
                    throw new ModelFileException(path, $"parameter '{name}' holds NaN or infinite values.");
            }
            using var _ = no_grad();
            foreach (var (name, tensor) in expected) tensor.copy_(loaded[name]);     // only after every check passed
        }
        finally
        {
            foreach (var tensor in loaded.Values) tensor.Dispose();
        }
    }

    private static void CheckShapes(SequenceModel model, string path, IReadOnlyDictionary<string, long[]> shapes)
    {
        if (ParameterShapes.Mismatch(model, shapes, "file") is { } problem)
            throw new ModelFileException(path, problem.Kind == ParameterMismatchKind.Names
                ? problem.Message + " SequenceKit names parameters '{layer index}.{PyTorch name}' (e.g. '1.weight_ih_l0'); name the PyTorch submodules \"0\", \"1\", … in the same order."
                : problem.Message);
    }

    private static Format FormatOf(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".safetensors" => Format.Safetensors,
            ".pth" or ".pt" => Format.PyTorch,
            var other => throw new ArgumentException($"path must end in .pth, .pt or .safetensors to choose the format; got '{other}'.", nameof(path)),
        };
    }
}
