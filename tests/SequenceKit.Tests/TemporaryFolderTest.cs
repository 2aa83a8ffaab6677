namespace SequenceKit.Tests;

/// <summary>A fixture base that gives each test a fresh temporary folder and deletes it afterwards.</summary>
public abstract class TemporaryFolderTest
{
    /// <summary>The current test's folder.</summary>
    protected string Folder { get; private set; } = "";

    [SetUp]
    public void CreateFolder() => Directory.CreateDirectory(Folder = Path.Combine(Path.GetTempPath(), "sk-tests-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void DeleteFolder() => Directory.Delete(Folder, recursive: true);
}
