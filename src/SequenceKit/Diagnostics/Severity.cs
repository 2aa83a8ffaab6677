namespace SequenceKit.Diagnostics;

/// <summary>How much a finding matters.</summary>
public enum Severity
{
    /// <summary>Worth knowing; training may be fine.</summary>
    Info,

    /// <summary>Likely to hurt training; act on it.</summary>
    Warning,

    /// <summary>Training cannot succeed as set up.</summary>
    Critical,
}
