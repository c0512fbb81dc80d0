using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Enrichflow.Fakes;

/// <summary>
/// A generic REST data vendor: <c>GET /v1/companies?domain=…</c> (or <c>?name=…</c>) and
/// <c>POST /v1/companies/search {"domain": …}</c> answer <c>{data: {...}}</c> or 404; the key goes in <c>X-Api-Key</c>.
/// </summary>
public sealed partial class FakeProviderServer
{
    private void MapRestVendor(IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/companies", http =>
        {
            var key = FirstKey(http.Request.Query["domain"], http.Request.Query["name"]);
            return CompanyAsync(http, key, null);
        });
        app.MapPost("/v1/companies/search", async http =>
        {
            var body = await ReadJsonAsync(http) as JsonObject;
            await CompanyAsync(http, FirstKey(body?["domain"]?.ToString(), body?["name"]?.ToString()), body);
        });
    }

    private static string? FirstKey(params string?[] values) =>
        values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v)) is { } value ? FakeData.Key(value) : null;

    private async Task CompanyAsync(HttpContext http, string? key, JsonNode? body)
    {
        if (key is null)
        {
            await WriteJsonAsync(http, 400, new JsonObject { ["message"] = "domain or name is required" });
            return;
        }

        await PaidAsync(http, key, body, expected => expected is null || http.Request.Headers["X-Api-Key"] == expected, reply =>
        {
            var seed = Seed;
            if (!FakeData.IsFound(seed, key, HitPercent))
            {
                return WriteJsonAsync(http, 404, new JsonObject { ["message"] = $"no company for {key}" });
            }

            var domain = FakeData.DomainOf(key);
            return WriteJsonAsync(http, 200, new JsonObject
            {
                ["data"] = new JsonObject
                {
                    ["name"] = FakeData.DisplayName(key),
                    ["domain"] = domain,
                    ["employees"] = reply?.Kind == FakeReplyKind.SchemaViolation ? "lots" : FakeData.Value(seed, key, "employees", "int"),
                    ["founded"] = 1950 + (long)(FakeData.Hash(seed, key, "founded") % 70),
                    ["industry"] = (string[])["Software", "Retail", "Logistics", "Finance"] is var industries ? industries[FakeData.Hash(seed, key, "industry") % (ulong)industries.Length] : "Software",
                    ["public"] = FakeData.Hash(seed, key, "public") % 2 == 0,
                    ["tags"] = new JsonArray("b2b", FakeData.Slug(FakeData.DisplayName(key))),
                    ["location"] = new JsonObject { ["country"] = "US", ["city"] = "Springfield" },
                    ["people"] = FakeData.People(seed, key),
                },
                ["request_id"] = "req_" + FakeData.Hash(seed, key, "request").ToString("x", System.Globalization.CultureInfo.InvariantCulture),
            });
        });
    }
}
