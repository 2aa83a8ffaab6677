using System.Globalization;

namespace SequenceKit.Models;

public sealed partial class SequenceModel
{
    private int fitting;                         // 1 while a Trainer.Fit runs on this model

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
        return new TrainingLease(this);
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
