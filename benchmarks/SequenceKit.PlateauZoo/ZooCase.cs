using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;

namespace SequenceKit.PlateauZoo;

/// <summary>One training setup with its known primary cause (null for a healthy setup).</summary>
public sealed record ZooCase(string Name, string? ExpectedCode, Func<ZooRun> Build)
{
    /// <summary>Why the doctor (v2) does not name this case's cause first, when it does not; null when it does. Such a case stays in the zoo's table, marked, and out of the per-case test.</summary>
    public string? KnownMiss { get; init; }
}

/// <summary>What a case trains: model, data and options (disposed after the run).</summary>
public sealed record ZooRun(SequenceModel Model, SequenceDataset Train, SequenceDataset Validation, TrainerOptions Options) : IDisposable
{
    public void Dispose()
    {
        Model.Dispose();
        Train.Dispose();
        Validation.Dispose();
    }
}
