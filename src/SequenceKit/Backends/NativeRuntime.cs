using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using TorchSharp;

namespace SequenceKit.Backends;

/// <summary>
/// Loads TorchSharp's native backend once and, when that fails, says why in terms a user can act on: a system
/// libstdc++ too old for TorchSharp 0.107 (it needs GLIBCXX_3.4.32, GCC 13+), or no backend package referenced.
/// Every SequenceKit entry point that touches native code calls <see cref="EnsureAvailable"/> first.
/// </summary>
public static partial class NativeRuntime
{
    private static readonly Lazy<SequenceKitException?> LoadFailure = new(TryLoad, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Makes sure libtorch and TorchSharp's native library are loaded.
    /// </summary>
    /// <exception cref="SequenceKitException">
    /// The native backend cannot be loaded; the message names the missing symbol or library and the fix. The same
    /// exception is thrown on every later call, since .NET does not retry a failed type initializer.
    /// </exception>
    public static void EnsureAvailable()
    {
        if (LoadFailure.Value is { } failure) throw failure;
    }

    /// <summary>
    /// <see cref="EnsureAvailable"/>, then <paramref name="name"/>: for constructors whose base constructor
    /// (TorchSharp's <c>nn.Module</c>) calls native code before the constructor's own body runs.
    /// </summary>
    internal static string CheckedName(string name)
    {
        EnsureAvailable();
        return name;
    }

    private static SequenceKitException? TryLoad()
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            return null;
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException or EntryPointNotFoundException)
        {
            return Explain(e, CandidateLibraries(), ProbeLoad, BackendReferenced());
        }
    }

    /// <summary>
    /// Turns a native load failure into an explanation. <paramref name="probe"/> loads a library path and returns the
    /// loader's error message, or null when it loads; it is substituted in tests. <paramref name="backendReferenced"/>
    /// says whether the application's dependency manifest lists a libtorch backend package (null: no manifest to read).
    /// </summary>
    internal static SequenceKitException Explain(Exception failure, IEnumerable<string> candidates, Func<string, string?> probe,
        bool? backendReferenced = null)
    {
        // The loader's own message (dlerror) names the real cause; TorchSharp's wrapper reports only "not restored".
        var loaderMessages = new List<string>();
        for (var e = failure; e is not null; e = e.InnerException)
            if (e is DllNotFoundException) loaderMessages.Add(e.Message);
        var existing = candidates.Where(File.Exists).ToList();
        foreach (var path in existing)
            if (probe(path) is { } message) loaderMessages.Add(message);

        var symbol = loaderMessages.Select(m => MissingVersion().Match(m)).FirstOrDefault(m => m.Success);
        if (symbol is not null)
        {
            var name = symbol.Groups["symbol"].Value;
            var library = symbol.Groups["library"].Value;
            return new SequenceKitException(
                $"TorchSharp's native library cannot be loaded: it needs symbol version {name}, which {library} on this " +
                $"machine does not provide ({name} comes with libstdc++ from GCC 13 or newer). Fix: run build/setup-native.sh " +
                "from the SequenceKit repository as root (on Debian 12 it installs libstdc++6 from Debian 13, pinned so " +
                "nothing else moves), or use a system that ships it (Ubuntu 24.04+, Debian 13+, Fedora 39+). Loader said: " +
                loaderMessages.First(m => m.Contains(name, StringComparison.Ordinal)).ReplaceLineEndings(" ").Trim(),
                failure);
        }

        var libraryName = NativeLibraryFileName();
        if (backendReferenced == false || existing.Count == 0)
            return new SequenceKitException(
                $"TorchSharp's native backend ({libraryName} and libtorch) was not found for the application: no TorchSharp backend " +
                "package is referenced. Add exactly one to the application project: TorchSharp-cpu, or TorchSharp-cuda-linux " +
                "(or TorchSharp-cuda-windows) for a GPU, at the same version as TorchSharp (0.107.0).",
                failure);

        var detail = loaderMessages.Count > 0 ? loaderMessages[0] : Innermost(failure).Message;
        return new SequenceKitException(
            $"TorchSharp's native backend could not be loaded from {string.Join(", ", existing)}: " +
            $"{Condensed(detail)} Check that TorchSharp and its backend package have the same version (0.107.0) and " +
            "that the native files are intact.",
            failure);
    }

    /// <summary>
    /// Whether the application's dependency manifests (<c>*.deps.json</c>) list a libtorch backend package
    /// (TorchSharp-cpu / TorchSharp-cuda-* bring <c>libtorch-cpu-…</c> or <c>libtorch-cuda-…</c>); null when there is
    /// no manifest to read (e.g. a notebook or single-file host), so that the other evidence decides.
    /// </summary>
    private static bool? BackendReferenced()
    {
        if (AppContext.GetData("APP_CONTEXT_DEPS_FILES") is not string files || files.Length == 0) return null;
        bool? found = null;
        foreach (var file in files.Split(';', StringSplitOptions.RemoveEmptyEntries))   // the host joins them with ';' on every OS
        {
            try
            {
                using var stream = File.OpenRead(file);
                using var manifest = System.Text.Json.JsonDocument.Parse(stream);
                if (!manifest.RootElement.TryGetProperty("libraries", out var libraries)) continue;
                found = false;
                foreach (var library in libraries.EnumerateObject())
                    if (library.Name.StartsWith("libtorch-", StringComparison.OrdinalIgnoreCase) ||
                        library.Name.StartsWith("TorchSharp-c", StringComparison.OrdinalIgnoreCase))
                        return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
            {
                // An unreadable manifest is no evidence either way.
            }
        }
        return found;
    }

    private static IEnumerable<string> CandidateLibraries() => CandidatePaths().Distinct(StringComparer.Ordinal);

    private static IEnumerable<string> CandidatePaths()
    {
        var name = NativeLibraryFileName();
        var bases = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? "" }
            .Where(b => b.Length > 0).Distinct();
        foreach (var dir in bases)
        {
            yield return Path.Combine(dir, name);
            yield return Path.Combine(dir, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", name);
            yield return Path.Combine(dir, "runtimes", OperatingSystem.IsWindows() ? "win-x64" : OperatingSystem.IsMacOS() ? "osx-arm64" : "linux-x64", "native", name);
            yield return Path.Combine(dir, "cpu", name);
            yield return Path.Combine(dir, "cuda-12.8", name);
        }
    }

    private static string? ProbeLoad(string path)
    {
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(path));
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            return e.Message;
        }
    }

    private static string NativeLibraryFileName() =>
        OperatingSystem.IsWindows() ? "LibTorchSharp.dll" : OperatingSystem.IsMacOS() ? "libLibTorchSharp.dylib" : "libLibTorchSharp.so";

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }

    // The loader's message on one line: .NET puts dlerror's reason (the missing dependency) after a line break.
    private static string Condensed(string text) => string.Join(" ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    // e.g. "/usr/lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.32' not found (required by …/libLibTorchSharp.so)"
    [GeneratedRegex(@"(?<library>[^\s:]+): version [`'](?<symbol>[A-Z]+_[0-9.]+)' not found")]
    private static partial Regex MissingVersion();
}
