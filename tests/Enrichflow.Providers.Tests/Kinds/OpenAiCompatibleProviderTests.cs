using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Providers;
using Enrichflow.Providers.Kinds;
using Enrichflow.Fakes;
using static Enrichflow.Providers.Tests.Kinds.ProviderKit;

namespace Enrichflow.Providers.Tests.Kinds;

public sealed class OpenAiCompatibleProviderTests
{
    [Fact]
    public async Task Sends_a_strict_json_schema_built_from_the_return_fields_and_maps_the_typed_answer()
    {
        await using var kit = await StartAsync("llm", "openai_compatible", ("Temperature", "0"));
        var request = Company("acme.example", Field("industry", description: "The company's industry"), Field("employees", ReturnFieldType.Int), Field("products", ReturnFieldType.ListStr), Field("public", ReturnFieldType.Bool));

        var answer = await kit.CallAsync("llm", request);

        var sent = kit.Fake.LastRequest("/v1/chat/completions")!;
        Assert.Equal("Bearer fake-key", sent.Headers["Authorization"]);
        Assert.Equal("fake-model", sent.Body!["model"]!.ToString());
        Assert.Equal(0, sent.Body["temperature"]!.GetValue<double>());
        Assert.Equal("system", sent.Body["messages"]![0]!["role"]!.ToString());
        Assert.Contains("Input: {\"domain\":\"acme.example\"}", sent.Body["messages"]![1]!["content"]!.ToString(), StringComparison.Ordinal);
        var format = sent.Body["response_format"]!;
        Assert.Equal("json_schema", format["type"]!.ToString());
        Assert.True(format["json_schema"]!["strict"]!.GetValue<bool>());
        var schema = format["json_schema"]!["schema"]!;
        Assert.False(schema["additionalProperties"]!.GetValue<bool>());
        Assert.Equal("""["industry","employees","products","public"]""", schema["required"]!.ToJsonString());
        Assert.Equal("""{"type":["integer","null"],"description":"employees"}""", schema["properties"]!["employees"]!.ToJsonString());
        Assert.Equal("""{"type":["array","null"],"items":{"type":"string"},"description":"products"}""", schema["properties"]!["products"]!.ToJsonString());
        Assert.Equal("The company's industry", schema["properties"]!["industry"]!["description"]!.ToString());

        Assert.Equal(EnrichmentOutcome.Found, answer.Outcome);
        Assert.Equal(JsonValueKind.Number, answer.Fields["employees"]!.GetValueKind());
        Assert.IsType<JsonArray>(answer.Fields["products"]);
    }

    [Fact]
    public async Task A_dict_field_turns_strict_mode_off()
    {
        await using var kit = await StartAsync("llm", "openai_compatible");

        var answer = await kit.CallAsync("llm", Company("acme.example", Field("address", ReturnFieldType.Dict)));

        Assert.False(kit.Fake.LastRequest("/v1/chat/completions")!.Body!["response_format"]!["json_schema"]!["strict"]!.GetValue<bool>());
        Assert.IsType<JsonObject>(answer.Fields["address"]);
    }

    [Fact]
    public async Task All_nulls_are_not_found()
    {
        await using var kit = await StartAsync(new FakeProviderOptions { HitPercent = 0 }, "llm", "openai_compatible");

        var answer = await kit.CallAsync("llm", Person("Ada Lovelace", "ada@analytical.example", Field("title"), Field("age", ReturnFieldType.Int)));

        Assert.Equal(EnrichmentOutcome.NotFound, answer.Outcome);
        Assert.Equal(1, kit.Fake.CallsFor("ada@analytical.example"));
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_fails_naming_the_field()
    {
        await using var kit = await StartAsync("llm", "openai_compatible");
        kit.Fake.Script("acme.example", FakeReply.SchemaViolation);

        var answer = await kit.CallAsync("llm", Company("acme.example", Field("employees", ReturnFieldType.Int), Field("industry")));

        Assert.Equal(EnrichmentOutcome.Failed, answer.Outcome);
        Assert.Equal("field 'employees' should be int but was \"about a dozen\"", answer.Reason);
        Assert.True(answer.Billable);
    }

    [Fact]
    public async Task A_wrong_key_throws_refused()
    {
        await using var kit = await StartAsync("llm", "openai_compatible", ("ApiKey", "sk-wrong"));

        var e = await Assert.ThrowsAsync<ProviderRefusedException>(() => kit.CallAsync("llm", Company("acme.example", Field("industry"))));

        Assert.Equal(401, e.Status);
    }

    [Fact]
    public async Task The_content_is_checked_as_json()
    {
        var request = Company("acme.example", Field("industry"));
        static JsonNode Completion(string content, string finish = "stop") => new JsonObject
        {
            ["choices"] = new JsonArray(new JsonObject { ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content }, ["finish_reason"] = finish }),
        };

        Assert.Equal("Software", OpenAiCompatibleProvider.Map(Completion("```json\n{\"industry\": \"Software\"}\n```"), request).Fields["industry"]!.ToString());
        Assert.StartsWith("answered malformed JSON content: ", OpenAiCompatibleProvider.Map(Completion("{\"industry\": "), request).Reason, StringComparison.Ordinal);
        Assert.StartsWith("answered content that is not a JSON object", OpenAiCompatibleProvider.Map(Completion("[1, 2]"), request).Reason, StringComparison.Ordinal);
        Assert.Equal("the model's answer was cut off (finish_reason: length)", OpenAiCompatibleProvider.Map(Completion("{\"industry\": \"So", "length"), request).Reason);
        Assert.Equal("answered without choices[0].message", OpenAiCompatibleProvider.Map(new JsonObject(), request).Reason);
    }
}
