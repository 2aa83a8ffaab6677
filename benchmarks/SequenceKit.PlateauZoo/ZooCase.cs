using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;

namespace SequenceKit.PlateauZoo;

/// <summary>One training setup with its known primary cause (null for a healthy setup).</summary>
public sealed record ZooCase(string Name, string? ExpectedCode, Func<ZooRun> Build);

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
