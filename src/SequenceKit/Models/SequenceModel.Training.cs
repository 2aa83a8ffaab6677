using System.Globalization;

namespace SequenceKit.Models;

public sealed partial class SequenceModel
{
    private int fitting;                         // 1 while a Trainer.Fit runs on this model
    private int trainingThread;                  // the managed thread id of that Fit's caller, while fitting is 1

    /// <summary>
    /// Marks the model as being trained until the returned lease is disposed. A second <c>Trainer.Fit</c> on the same
    /// model, from another thread or from a callback of the first, is refused here, before it touches anything:
    /// two runs would share the parameters' gradients and fail deep inside autograd.
    /// </summary>
    /// <exception cref="InvalidOperationException">A <c>Trainer.Fit</c> call is already training this model.</exception>
    internal IDisposable BeginTraining()
    {
        if (Interlocked.CompareExchange(ref fitting, 1, 0) != 0)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"This SequenceModel ({Describe()}) is already being trained by another Trainer.Fit call; one model trains in one Fit at a time. ") +
                "Wait for that call to return, or train a separate model instance.");
        Volatile.Write(ref trainingThread, Environment.CurrentManagedThreadId);
        return new TrainingLease(this);
    }

    /// <summary>
    /// Refuses inference (<c>Predict</c>, <c>PredictClasses</c>, <c>Trainer.Evaluate</c>, …) from another thread while a
    /// <c>Trainer.Fit</c> trains this model: it would flip the shared train/eval mode under the running step and read
    /// parameters the optimizer is writing. The training thread itself may run inference, as Keras allows
    /// <c>model.predict</c> in callbacks: the mode is switched to evaluation for the call and restored afterwards.
    /// </summary>
    /// <param name="operation">What was called, for the message, e.g. "Predict".</param>
    /// <exception cref="InvalidOperationException">Another thread's <c>Trainer.Fit</c> is training this model.</exception>
    internal void EnsureNotTrainedElsewhere(string operation)
    {
        if (Volatile.Read(ref fitting) == 0) return;
        var owner = Volatile.Read(ref trainingThread);
        if (owner == Environment.CurrentManagedThreadId) return;
        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
            $"{operation} was called on this SequenceModel ({Describe()}) from thread {Environment.CurrentManagedThreadId} while Trainer.Fit trains it on thread {owner}. ") +
            "Wait for Fit to return, call it from a training callback (which runs on the training thread), or predict with a separate copy of the model (e.g. saved and loaded).");
    }

    private string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{string.Join(" → ", layers.Select(l => l.TypeName))}, {ParameterCount:N0} parameters, on {Device}");

    private sealed class TrainingLease(SequenceModel model) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0) Volatile.Write(ref model.fitting, 0);
        }
    }
}
