using SequenceKit.Layers;
using SequenceKit.Models;

namespace SequenceKit.TestHost;

/// <summary>
/// What a user's first program does, before anything else touches TorchSharp: build the README's first model. Exit 0 when
/// it builds, 3 when SequenceKit explains a native failure (on stderr), 4 for any other exception (its type on stderr).
/// </summary>
public static class FirstModel
{
    /// <summary>Builds the model and reports the outcome as an exit code.</summary>
    public static int Run()
    {
        try
        {
            using var model = new SequenceModel(
                new Embedding(vocabularySize: 1000, dimension: 64),
                new Lstm(128),
                new Dense(10, Activation.Softmax));
            Console.WriteLine($"model built: {model.ParameterCount} parameters");
            return 0;
        }
        catch (SequenceKitException e)
        {
            Console.Error.WriteLine($"{e.GetType().Name}: {e.Message}");
            return 3;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"unexplained {e.GetType().FullName}: {e.Message}");
            return 4;
        }
    }
}
