using TorchSharp.Modules;
using static TorchSharp.torch.optim;

namespace SequenceKit.Training.Schedulers;

/// <summary>Sets the momentum of every parameter group: SGD's (and RMSprop's) momentum, or β1 of Adam-style optimizers.</summary>
internal static class OptimizerMomentum
{
    /// <summary>Applies <paramref name="momentum"/>; returns false when the optimizer has neither momentum nor betas.</summary>
    public static bool Set(OptimizerHelper optimizer, double momentum)
    {
        var applied = false;
        foreach (var group in optimizer.ParamGroups)
        {
            switch (group)
            {
                case IBetas betas:
                    betas.Betas = (momentum, betas.Betas.Item2);
                    applied = true;
                    break;
                case IMomentum withMomentum:
                    withMomentum.Momentum = momentum;
                    applied = true;
                    break;
            }
        }
        return applied;
    }
}
