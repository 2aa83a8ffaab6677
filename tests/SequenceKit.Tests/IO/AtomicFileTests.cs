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

public class AtomicFileNamingTests : TemporaryFolderTest
{
    [Test]
    public void A_legal_long_target_name_is_written()
    {
        var path = Path.Combine(Folder, new string('m', 240) + ".skmodel");      // 248 characters: legal (255 max)
        AtomicFile.Write(path, stream => stream.Write([1, 2]));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(new byte[] { 1, 2 }));
        Assert.That(Directory.GetFiles(Folder), Is.EqualTo(new[] { path }));
    }

    [Test]
    public void A_write_error_names_the_target_not_the_temporary_file()
    {
        var path = Path.Combine(Folder, new string('n', 300) + ".bin");          // over the 255-byte name limit
        var error = Assert.Catch<IOException>(() => AtomicFile.Write(path, stream => stream.Write([1])))!;
        Assert.That(error.Message, Does.Contain(Path.GetFullPath(path)).And.Not.Contain(".sk-"));

        var failing = Path.Combine(Folder, "data.bin");
        error = Assert.Catch<IOException>(() => AtomicFile.Write(failing, _ => throw new IOException("disk full (simulated)")))!;
        Assert.That(error.Message, Does.Contain(failing));
    }

    [Test]
    public void Orphans_of_a_killed_writer_are_removed_by_the_next_write_to_the_same_target()
    {
        var path = Path.Combine(Folder, "model.skmodel");
        var prefix = AtomicFile.TemporaryPrefix(path);
        var orphan = Path.Combine(Folder, prefix + "0badf00d.tmp");
        var fresh = Path.Combine(Folder, prefix + "12345678.tmp");              // a concurrent writer's, just started
        var other = Path.Combine(Folder, AtomicFile.TemporaryPrefix(Path.Combine(Folder, "other.skmodel")) + "0badf00d.tmp");
        foreach (var file in new[] { orphan, fresh, other }) File.WriteAllBytes(file, [0]);
        File.SetLastWriteTimeUtc(orphan, DateTime.UtcNow.AddHours(-1));
        File.SetLastWriteTimeUtc(other, DateTime.UtcNow.AddHours(-1));

        AtomicFile.Write(path, stream => stream.Write([7]));

        Assert.That(Directory.GetFiles(Folder).Order(), Is.EqualTo(new[] { path, fresh, other }.Order()));
    }
}
