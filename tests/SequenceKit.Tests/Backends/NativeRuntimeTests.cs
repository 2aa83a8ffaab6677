using System.Reflection;
using System.Diagnostics;
using SequenceKit.Backends;

namespace SequenceKit.Tests.Backends;

public class NativeRuntimeTests
{
    // What .NET's loader reported on Debian 12 (libstdc++ from GCC 12) for TorchSharp 0.107's native library.
    private const string Glibcxx32Missing =
        "Unable to load shared library '/app/cpu/libLibTorchSharp.so' or one of its dependencies. In order to help diagnose " +
        "loading problems, consider using a tool like strace. If you're using glibc, consider setting the LD_DEBUG environment variable: \n" +
        "/lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.32' not found (required by /app/cpu/libLibTorchSharp.so)\n";

    // What TorchSharp itself throws in that situation: it blames a missing package, not the real cause.
    private static Exception TorchSharpFailure() => new TypeInitializationException("TorchSharp.torch",
        new NotSupportedException("This application or script uses TorchSharp but doesn't contain a reference to libtorch-cpu-linux-x64, Version=2.10.0.0."));

    [Test]
    public void Missing_glibcxx_symbol_found_by_probing_is_named_with_the_fix()
    {
        var candidate = Path.GetTempFileName();
        try
        {
            var error = NativeRuntime.Explain(TorchSharpFailure(), [candidate], _ => Glibcxx32Missing);
            Assert.That(error.Message, Does.Contain("GLIBCXX_3.4.32").And.Contain("/lib/x86_64-linux-gnu/libstdc++.so.6")
                .And.Contain("setup-native.sh").And.Contain("GCC 13"));
            Assert.That(error.InnerException, Is.InstanceOf<TypeInitializationException>());
        }
        finally
        {
            File.Delete(candidate);
        }
    }

    [Test]
    public void Missing_symbol_in_an_inner_DllNotFoundException_is_used_without_probing()
    {
        var failure = new TypeInitializationException("TorchSharp.torch", new DllNotFoundException(Glibcxx32Missing));
        var error = NativeRuntime.Explain(failure, [], _ => throw new AssertionException("no probe expected"));
        Assert.That(error.Message, Does.Contain("GLIBCXX_3.4.32").And.Contain("setup-native.sh"));
    }

    [Test]
    public void No_native_library_at_all_means_no_backend_package()
    {
        var error = NativeRuntime.Explain(TorchSharpFailure(), [Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"))], _ => null);
        Assert.That(error.Message, Does.Contain("no TorchSharp backend package").And.Contain("TorchSharp-cpu").And.Contain("TorchSharp-cuda-linux"));
    }

    [Test]
    public void A_manifest_without_a_libtorch_package_means_no_backend_package_even_when_LibTorchSharp_exists()
    {
        // The managed TorchSharp package ships libLibTorchSharp itself; only the backend package brings libtorch.
        var candidate = Path.GetTempFileName();
        try
        {
            var error = NativeRuntime.Explain(TorchSharpFailure(), [candidate], _ => "libLibTorchSharp.so: cannot open shared object file", backendReferenced: false);
            Assert.That(error.Message, Does.Contain("no TorchSharp backend package").And.Contain("TorchSharp-cpu"));
            var referenced = NativeRuntime.Explain(TorchSharpFailure(), [candidate], _ => "libtorch.so: cannot open shared object file", backendReferenced: true);
            Assert.That(referenced.Message, Does.Not.Contain("no TorchSharp backend package").And.Contain("libtorch.so: cannot open"));
        }
        finally
        {
            File.Delete(candidate);
        }
    }

    [Test]
    public void Other_failures_keep_the_original_reason()
    {
        var candidate = Path.GetTempFileName();
        try
        {
            var error = NativeRuntime.Explain(TorchSharpFailure(), [candidate], _ => "some/lib.so: invalid ELF header");
            Assert.That(error.Message, Does.Contain("invalid ELF header").And.Contain(candidate));
        }
        finally
        {
            File.Delete(candidate);
        }
    }

    [Test]
    public void Native_backend_loads_on_this_machine()
    {
        Assert.DoesNotThrow(NativeRuntime.EnsureAvailable);
    }

    [Test]
    [Category("Integration")]
    public void A_real_old_libstdcxx_makes_the_first_model_throw_the_explained_exception()
    {
        // .ci/run extracts Debian 12's libstdc++ (GCC 12) and points this variable at it.
        var oldLibrary = Environment.GetEnvironmentVariable("SEQUENCEKIT_TEST_OLD_LIBSTDCXX_DIR");
        if (string.IsNullOrEmpty(oldLibrary) || !File.Exists(Path.Combine(oldLibrary, "libstdc++.so.6")))
            Assert.Ignore("Needs SEQUENCEKIT_TEST_OLD_LIBSTDCXX_DIR pointing at a folder with GCC 12's libstdc++.so.6 (.ci/run provides it).");

        var host = Path.Combine(TestContext.CurrentContext.TestDirectory, "SequenceKit.TestHost.dll");
        var (exitCode, output, errors) = RunHost(host, ["first-model"], new() { ["LD_LIBRARY_PATH"] = oldLibrary });
        Assert.That(exitCode, Is.EqualTo(3), $"stdout: {output}\nstderr: {errors}");
        Assert.That(errors, Does.Contain("SequenceKitException").And.Contain("GLIBCXX_3.4.32").And.Contain("setup-native.sh"));
    }

    [Test]
    [Category("Integration")]
    public void Without_a_backend_package_the_first_model_throws_the_explained_exception()
    {
        // An application that references SequenceKit but no TorchSharp-cpu/-cuda package, run from its own folder.
        var host = typeof(NativeRuntimeTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "NoBackendHost").Value!;
        // As on a deployment: no NuGet package cache. (On a build machine TorchSharp's loader falls back to copying the
        // natives from ~/.nuget/packages/libtorch-cpu-*/ into a "cpu" folder beside TorchSharp.dll, and the model builds;
        // a copy left by an earlier run is removed too.)
        var leftover = Path.Combine(Path.GetDirectoryName(host)!, "cpu");
        if (Directory.Exists(leftover)) Directory.Delete(leftover, recursive: true);
        var noPackages = Directory.CreateTempSubdirectory("sequencekit-no-nuget-");
        (int, string, string) result;
        try { result = RunHost(host, [], new() { ["NUGET_PACKAGES"] = noPackages.FullName }); }
        finally { noPackages.Delete(recursive: true); }
        var (exitCode, output, errors) = result;
        Assert.That(exitCode, Is.EqualTo(3), $"stdout: {output}\nstderr: {errors}");
        Assert.That(errors, Does.Contain("SequenceKitException").And.Contain("no TorchSharp backend package").And.Contain("TorchSharp-cpu"));
    }

    private static (int ExitCode, string Output, string Errors) RunHost(string host, string[] arguments, Dictionary<string, string> environment)
    {
        Assert.That(File.Exists(host), Is.True, $"helper {host} was not built");
        var start = new ProcessStartInfo("dotnet", [host, .. arguments])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(host)!,
        };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        Assert.That(process.WaitForExit(60_000), Is.True, "helper did not finish within 60 s");
        return (process.ExitCode, output.Result, errors);
    }
}
