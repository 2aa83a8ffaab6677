using SequenceKit.Models;

namespace SequenceKit.PyTorch;

/// <summary>
/// Saves and loads a <see cref="SequenceModel"/>'s weights as a PyTorch state_dict (<c>.pth</c>/<c>.pt</c>) or a
/// safetensors file, so weights move between SequenceKit and PyTorch. The architecture is not stored: for one file with
/// both, use <see cref="SequenceModel.Save"/> and <see cref="SequenceModel.Load"/>.
/// </summary>
public static class WeightFileExtensions
{
    /// <summary>
    /// Saves the weights alone as a PyTorch state_dict (<c>.pth</c> or <c>.pt</c>, loadable with <c>torch.load</c> and
    /// <c>load_state_dict</c>) or a safetensors file (<c>.safetensors</c>), chosen by the extension. Names are
    /// <c>{layer index}.{PyTorch name}</c>, e.g. <c>1.weight_ih_l0</c>, as a PyTorch module whose submodules are named
    /// "0", "1", … in the same order. Written atomically.
    /// </summary>
    /// <param name="model">The model whose weights are written.</param>
    /// <param name="path">The file; its extension chooses the format.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException">The extension is not .pth, .pt or .safetensors.</exception>
    public static void SaveWeights(this SequenceModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        WeightFile.Save(model, path);
    }

    /// <summary>
    /// Loads weights from a PyTorch state_dict (<c>.pth</c>/<c>.pt</c>) or safetensors file into this model. The file
    /// is read only as named tensors (nothing is executed); every name, shape and value is checked before any weight
    /// changes, so a rejected file leaves the model as it was.
    /// </summary>
    /// <param name="model">The model that receives the weights.</param>
    /// <param name="path">The file; its extension chooses the format.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="ArgumentException">The extension is not .pth, .pt or .safetensors.</exception>
    /// <exception cref="ModelFileException">The file is corrupt or foreign, or its names, shapes or values do not fit the model.</exception>
    public static void LoadWeights(this SequenceModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        WeightFile.Load(model, path);
    }
}
