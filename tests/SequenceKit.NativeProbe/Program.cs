using SequenceKit;
using SequenceKit.Backends;

// Exit codes: 0 the native backend loaded; 3 SequenceKit explained a load failure (written to stderr).
try
{
    NativeRuntime.EnsureAvailable();
    Console.WriteLine("native backend loaded");
    return 0;
}
catch (SequenceKitException e)
{
    Console.Error.WriteLine($"{e.GetType().Name}: {e.Message}");
    return 3;
}
