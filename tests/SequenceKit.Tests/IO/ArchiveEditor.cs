using System.IO.Compression;
using System.Text.Json.Nodes;
using SequenceKit.IO;

namespace SequenceKit.Tests.IO;

/// <summary>Edits the entries of a SequenceKit zip file (model or checkpoint) the way corruption or a crafted file would.</summary>
internal static class ArchiveEditor
{
    /// <summary>All entries by name.</summary>
    public static Dictionary<string, byte[]> Read(string path)
    {
        var entries = new Dictionary<string, byte[]>();
        using var archive = ZipFile.OpenRead(path);
        foreach (var entry in archive.Entries)
        {
            using var stream = entry.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            entries[entry.FullName] = copy.ToArray();
        }
        return entries;
    }

    /// <summary>Replaces the file with these entries, in this order.</summary>
    public static void Write(string path, Dictionary<string, byte[]> entries)
    {
        File.Delete(path);
        using var output = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, bytes) in entries)
        {
            using var stream = output.CreateEntry(name).Open();
            stream.Write(bytes);
        }
    }

    /// <summary>
    /// Edits the manifest and the entries. With <paramref name="resign"/>, every part's size and SHA-256 in the
    /// manifest's "parts" and the manifest's own "sha256" are recomputed (a crafted file whose hashes all match, so that
    /// what is tested is the check behind the hashes); without, the hashes stay as written (corruption).
    /// </summary>
    public static void Rewrite(string path, string manifestEntry, Action<JsonObject, Dictionary<string, byte[]>> edit, bool resign = true)
    {
        var entries = Read(path);
        var manifest = JsonNode.Parse(entries[manifestEntry])!.AsObject();
        edit(manifest, entries);
        if (resign && manifest["parts"] is JsonObject parts)
        {
            foreach (var name in parts.Select(p => p.Key).ToArray())
                if (entries.TryGetValue(name, out var bytes)) parts[name] = FileFormat.PartEntry(bytes);
            FileFormat.Sign(manifest);
        }
        entries[manifestEntry] = System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString());
        Write(path, entries);
    }
}
