namespace SequenceKit.DiagnosisBench;

/// <summary>One finding as recorded: code, severity and confidence.</summary>
/// <param name="Code">E.g. "SK003".</param>
/// <param name="Severity">"Info", "Warning" or "Critical".</param>
/// <param name="Confidence">The doctor's confidence, in [0, 1].</param>
public sealed record FindingResult(string Code, string Severity, double Confidence);

/// <summary>What one case did: the setup, the training outcome, the doctor's findings and timings. One JSONL line each.</summary>
public sealed class CaseResult
{
    /// <summary>"cause/source/seed".</summary>
    public required string Name { get; init; }

    /// <summary>The cause's name.</summary>
    public required string Cause { get; init; }

    /// <summary>The data source's name.</summary>
    public required string Source { get; init; }

    /// <summary>The seed (1..N).</summary>
    public required int Seed { get; init; }

    /// <summary>"dev", "heldout", "heldout2", "heldout3", "heldout4" or "heldout5".</summary>
    public required string Split { get; init; }

    /// <summary>The expected top code, or null for a healthy case.</summary>
    public string? Expected { get; init; }

    /// <summary>The setup in one line (cell, optimizer, epochs, data shape, the change the cause made).</summary>
    public string Setup { get; set; } = "";

    /// <summary>Completed epochs.</summary>
    public int Epochs { get; set; }

    /// <summary>The last epoch's metrics (loss, accuracy or mae, and their val_ versions).</summary>
    public Dictionary<string, double> LastMetrics { get; set; } = [];

    /// <summary>Whether training met a non-finite loss or metric (or skipped a non-finite step).</summary>
    public bool NonFinite { get; set; }

    /// <summary>The largest epoch training loss (NaN without epochs).</summary>
    public double MaxLoss { get; set; } = double.NaN;

    /// <summary>History events (skipped steps, roll-backs).</summary>
    public int Events { get; set; }

    /// <summary>Wall seconds of Trainer.Fit.</summary>
    public double TrainSeconds { get; set; }

    /// <summary>Wall seconds of TrainingDoctor.Diagnose.</summary>
    public double DiagnoseSeconds { get; set; }

    /// <summary>DiagnosisReport.ActiveTime in seconds.</summary>
    public double ActiveSeconds { get; set; }

    /// <summary>The findings, ranked as the report ranks them.</summary>
    public List<FindingResult> Findings { get; set; } = [];

    /// <summary>The report's notes (checks that could not run).</summary>
    public List<string> Notes { get; set; } = [];

    /// <summary>Evidence values that disagree with the history's last epoch.</summary>
    public List<string> Violations { get; set; } = [];

    /// <summary>The exception that stopped the case, or null.</summary>
    public string? Error { get; set; }

    /// <summary>The top finding's code, "none" without findings, "error" when the case failed.</summary>
    public string Top1 => Error is not null ? "error" : Findings.Count > 0 ? Findings[0].Code : "none";

    /// <summary>The top two codes.</summary>
    public IReadOnlyList<string> Top2 => Findings.Take(2).Select(f => f.Code).ToArray();

    /// <summary>Whether the expected code is ranked first (false for healthy cases).</summary>
    public bool Top1Hit => Expected is not null && Error is null && Top1 == Expected;

    /// <summary>Whether the expected code is among the top two (false for healthy cases).</summary>
    public bool Top2Hit => Expected is not null && Error is null && Top2.Contains(Expected);

    /// <summary>Codes of Warning or Critical findings.</summary>
    public IReadOnlyList<string> Alarms => Findings.Where(f => f.Severity is "Warning" or "Critical").Select(f => f.Code).ToArray();
}
