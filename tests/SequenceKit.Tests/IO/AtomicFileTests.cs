using SequenceKit.IO;

namespace SequenceKit.Tests.IO;

public class AtomicFileTests
{
    [Test]
    public void A_writer_that_fails_midway_leaves_the_previous_file_and_no_temporary_file()
    {
        var folder = Path.Combine(Path.GetTempPath(), "sk-atomic-" + Guid.NewGuid().ToString("N"));
        var path = Path.Combine(folder, "data.bin");
        try
        {
            AtomicFile.Write(path, stream => stream.Write([1, 2, 3]));
            Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
            {
                stream.Write([9, 9]);
                throw new IOException("disk full (simulated)");
            }));
            Assert.That(File.ReadAllBytes(path), Is.EqualTo(new byte[] { 1, 2, 3 }));
            Assert.That(Directory.GetFiles(folder), Is.EqualTo(new[] { path }));
            AtomicFile.Write(path, stream => stream.Write([4]));
            Assert.That(File.ReadAllBytes(path), Is.EqualTo(new byte[] { 4 }), "a complete write replaces the file");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
