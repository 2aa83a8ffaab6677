using System.Diagnostics;
using SequenceKit.TestHost;

namespace SequenceKit.Tests.Training;

public class TrainerDeterminismTests
{
    [Test]
    public void The_same_seeded_run_is_bit_identical_across_processes()
    {
        var inProcess = DeterminismRun.Run();
        var first = RunChild();
        var second = RunChild();
        Assert.That(first, Is.EqualTo(inProcess));
        Assert.That(second, Is.EqualTo(inProcess));
    }

    private static string RunChild()
    {
        var host = Path.Combine(TestContext.CurrentContext.TestDirectory, "SequenceKit.TestHost.dll");
        var start = new ProcessStartInfo("dotnet", [host, "determinism"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.That(process.WaitForExit(120_000), Is.True, "child did not finish");
        Assert.That(process.ExitCode, Is.Zero, errors.Result);
        return output.Trim();
    }
}
