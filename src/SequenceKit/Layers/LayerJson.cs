using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace SequenceKit.Layers;

/// <summary>The JSON settings every built-in layer uses for its configuration: strict, enums by name.</summary>
internal static class LayerJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        Converters = { new JsonStringEnumConverter(allowIntegerValues: false) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>Serializes by the runtime type, so derived options records keep their own properties.</summary>
    public static JsonNode? ToNode(object value) => JsonSerializer.SerializeToNode(value, value.GetType(), Options);

    /// <summary>Reads a required property; a missing one or one of the wrong type is a <see cref="JsonException"/>.</summary>
    public static T Required<T>(JsonObject config, string name)
    {
        if (!config.TryGetPropertyValue(name, out var node) || node is null)
            throw new JsonException($"Layer configuration lacks the property '{name}'.");
        return node.Deserialize<T>(Options) ?? throw new JsonException($"Layer configuration property '{name}' is null.");
    }

    public static T? Optional<T>(JsonObject config, string name) =>
        config.TryGetPropertyValue(name, out var node) && node is not null ? node.Deserialize<T>(Options) : default;
}
