using SequenceKit.Layers;

namespace SequenceKit.Models;

/// <summary>
/// Checks each layer while a <see cref="SequenceModel"/> is built: before its <see cref="ISequenceLayer.Build"/> (nothing
/// of it allocated yet) and right after (its parameters exist, later layers not yet). Throwing stops the build; the
/// model frees what was built so far. Loading a model file uses it to compare the architecture with the file.
/// </summary>
internal interface ILayerBuildGuard
{
    /// <summary>Called before layer <paramref name="index"/> is built on <paramref name="input"/>.</summary>
    void BeforeBuild(int index, ISequenceLayer layer, LayerShape input);

    /// <summary>Called after layer <paramref name="index"/> was built.</summary>
    void AfterBuild(int index, ISequenceLayer layer);
}
