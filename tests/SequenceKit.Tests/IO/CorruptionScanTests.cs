using System.Diagnostics;
using System.Text.RegularExpressions;

namespace SequenceKit.Tests.IO;

/// <summary>
/// Every one-bit corruption of a small model file and of a checkpoint is either refused with SequenceKit's exception
/// (the user's model untouched) or reads back exactly the original; never a crash, never a silently different model.
/// The scan runs in a child process (SequenceKit.TestHost "corruption-scan"), so a native crash fails the test.
/// </summary>
public partial class CorruptionScanTests : TemporaryFolderTest
{
    [GeneratedRegex(@"^tried (\d+) refused (\d+) identical (\d+) different (\d+) wrong-exception (\d+) changed-on-refusal (\d+)$")]
    private static partial Regex Summary();

    [TestCase("model")]
    [TestCase("checkpoint")]
    public void Every_one_bit_corruption_is_refused_or_reads_back_identical(string kind)
    {
        var host = Path.Combine(TestContext.CurrentContext.TestDirectory, "SequenceKit.TestHost.dll");
        var start = new ProcessStartInfo("dotnet", [host, "corruption-scan", kind, Folder, "0", "1"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        while (process.StandardOutput.ReadLine() is { } line) lines.Add(line);
        Assert.That(process.WaitForExit(TimeSpan.FromMinutes(5)), "the scan finishes");

        var offsetFile = Directory.GetFiles(Folder, "*.offset").SingleOrDefault();
        var lastOffset = offsetFile is null ? "none" : File.ReadAllText(offsetFile);
        Assert.That(process.ExitCode, Is.EqualTo(0),
            $"the scan process ended with exit code {process.ExitCode} while reading the corruption at byte {lastOffset}: {error.Result}");
        var bad = lines.Where(l => l.StartsWith("bad ", StringComparison.Ordinal)).Take(10).ToList();
        var summary = Summary().Match(lines.LastOrDefault() ?? "");
        Assert.That(summary.Success, $"summary line; output ended: {lines.LastOrDefault()}");
        var count = (int group) => int.Parse(summary.Groups[group].Value, System.Globalization.CultureInfo.InvariantCulture);
        TestContext.Out.WriteLine($"{kind}: {lines[^1]}");

        var fileLength = new FileInfo(Directory.GetFiles(Folder, kind == "model" ? "scanned.skmodel" : "last.ckpt").Single()).Length;
        Assert.Multiple(() =>
        {
            Assert.That(count(1), Is.EqualTo(fileLength), "every byte of the file was tried");
            Assert.That(count(4), Is.Zero, "corruptions that read back different contents: " + string.Join(" | ", bad));
            Assert.That(count(5), Is.Zero, "corruptions refused with an exception other than SequenceKit's: " + string.Join(" | ", bad));
            Assert.That(count(6), Is.Zero, "refusals that had already changed the model: " + string.Join(" | ", bad));
            Assert.That(count(2), Is.GreaterThan(count(1) / 2), "most corruptions are detected and refused");
        });
    }
}
