using TorchSharp.Modules;

namespace SequenceKit.Training.Optimizers;

/// <summary>
/// Creates the optimizer for a training run. The built-ins are options records (<see cref="Adam"/>, <see cref="AdamW"/>,
/// <see cref="Sgd"/>, <see cref="RmsProp"/>, <see cref="Adagrad"/>); <see cref="CustomOptimizer"/> plugs in any
/// TorchSharp optimizer.
/// </summary>
public interface IOptimizerFactory
{
    /// <summary>The initial learning rate; schedulers scale from it.</summary>
    double LearningRate { get; }

    /// <summary>Creates the optimizer over the given parameters.</summary>
    /// <param name="parameters">The model's trainable parameters.</param>
    /// <returns>A TorchSharp optimizer.</returns>
    OptimizerHelper Create(IEnumerable<Parameter> parameters);
}
