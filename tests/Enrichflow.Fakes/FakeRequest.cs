using System.Text.Json.Nodes;

namespace Enrichflow.Fakes;

/// <summary>A request the fake received: what tests assert the provider sent.</summary>
public sealed record FakeRequest(string Method, string Path, string Query, string? Key, JsonNode? Body, IReadOnlyDictionary<string, string> Headers, bool IsPoll);
