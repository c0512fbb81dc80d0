using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Enrichflow.Providers.Outbound;
using Enrichflow.Core.Storage;
using Enrichflow.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Server.Tests.Outbound;

public sealed class WebhookSecretsApiTests
{
    private const string Path = "/webhooks/signing-secret";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_without_a_secret_answers_json_null()
    {
        await using var server = await TestServer.StartAsync();

        var response = await server.Client.GetAsync(Path, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("null", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Create_shows_the_plaintext_once_and_get_shows_only_the_metadata()
    {
        await using var server = await TestServer.StartAsync();

        var created = await CreateAsync(server.Client);
        var plaintext = created.GetProperty("plaintext").GetString()!;
        var meta = created.GetProperty("meta");

        Assert.Matches("^sk_whsec_[0-9a-f]{64}$", plaintext);
        Assert.Equal("active", meta.GetProperty("status").GetString());
        Assert.Equal("default", meta.GetProperty("org_id").GetString());
        Assert.Equal(JsonValueKind.Null, meta.GetProperty("revoked_at").ValueKind);
        Assert.EndsWith("Z", meta.GetProperty("created_at").GetString(), StringComparison.Ordinal);
        Assert.EndsWith(plaintext[^4..], meta.GetProperty("preview").GetString(), StringComparison.Ordinal);

        var text = await server.Client.GetStringAsync(Path, Ct);
        var shown = JsonDocument.Parse(text).RootElement;
        Assert.DoesNotContain(plaintext[9..], text, StringComparison.Ordinal);
        Assert.Equal(
            ["id", "org_id", "preview", "status", "created_at", "revoked_at"],
            shown.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(meta.GetProperty("id").GetString(), shown.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Create_again_revokes_the_older_secret()
    {
        await using var server = await TestServer.StartAsync();
        var first = (await CreateAsync(server.Client)).GetProperty("plaintext").GetString()!;
        var second = (await CreateAsync(server.Client)).GetProperty("plaintext").GetString()!;

        var signing = await SigningSecretsAsync(server, "default");

        Assert.Equal([second], signing);
        Assert.DoesNotContain(first, signing);
    }

    [Fact]
    public async Task Roll_makes_both_secrets_sign_during_the_overlap()
    {
        await using var server = await TestServer.StartAsync();
        var old = (await CreateAsync(server.Client)).GetProperty("plaintext").GetString()!;

        var response = await server.Client.PostAsJsonAsync(Path + "/roll", new { expire_overlap_hours = 24 }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rolled = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        var fresh = rolled.GetProperty("plaintext").GetString()!;
        Assert.NotEqual(old, fresh);

        var secrets = await SigningSecretsAsync(server, "default");
        Assert.Equal([fresh, old], secrets);
        var now = DateTimeOffset.UtcNow;
        var body = Encoding.UTF8.GetBytes("""{"event_id":"e1","event_type":"run.completed"}""");
        var header = WebhookSignature.Sign(secrets, now.ToUnixTimeSeconds(), body);
        Assert.Equal(2, header.Split(',').Count(p => p.StartsWith("v1=", StringComparison.Ordinal)));
        Assert.True(WebhookSignature.Verify(header, body, old, now));
        Assert.True(WebhookSignature.Verify(header, body, fresh, now));

        var store = server.Services.GetRequiredService<ISigningSecretStore>();
        Assert.Equal([fresh], await store.GetSigningSecretsAsync("default", now.AddHours(24).AddMinutes(1), Ct));
        var current = await server.Client.GetFromJsonAsync<JsonElement>(Path, Ct);
        Assert.Equal(rolled.GetProperty("meta").GetProperty("id").GetString(), current.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Roll_without_a_body_uses_an_overlap_of_24_hours()
    {
        await using var server = await TestServer.StartAsync();
        var old = (await CreateAsync(server.Client)).GetProperty("plaintext").GetString()!;

        var response = await server.Client.PostAsync(Path + "/roll", null, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var store = server.Services.GetRequiredService<ISigningSecretStore>();
        Assert.Contains(old, await store.GetSigningSecretsAsync("default", DateTimeOffset.UtcNow.AddHours(23.9), Ct));
        Assert.DoesNotContain(old, await store.GetSigningSecretsAsync("default", DateTimeOffset.UtcNow.AddHours(24.1), Ct));
    }

    [Fact]
    public async Task Roll_with_a_wrong_type_is_422_naming_the_field()
    {
        await using var server = await TestServer.StartAsync();
        await CreateAsync(server.Client);

        var response = await server.Client.PostAsJsonAsync(Path + "/roll", new { expire_overlap_hours = "soon" }, Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail")[0];
        Assert.Equal("[\"body\",\"expire_overlap_hours\"]", detail.GetProperty("loc").GetRawText());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(73)]
    [InlineData(720)]
    public async Task Roll_with_an_overlap_out_of_range_is_400(int hours)
    {
        await using var server = await TestServer.StartAsync();
        await CreateAsync(server.Client);

        var response = await server.Client.PostAsJsonAsync(Path + "/roll", new { expire_overlap_hours = hours }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(
            $"expire_overlap_hours must be between 0 and 72 (got {hours}).",
            (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Roll_takes_the_largest_overlap_sixtyfour_allows_72_hours()
    {
        await using var server = await TestServer.StartAsync();
        var old = (await CreateAsync(server.Client)).GetProperty("plaintext").GetString()!;

        var response = await server.Client.PostAsJsonAsync(Path + "/roll", new { expire_overlap_hours = 72 }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var store = server.Services.GetRequiredService<ISigningSecretStore>();
        Assert.Contains(old, await store.GetSigningSecretsAsync("default", DateTimeOffset.UtcNow.AddHours(71.9), Ct));
        Assert.DoesNotContain(old, await store.GetSigningSecretsAsync("default", DateTimeOffset.UtcNow.AddHours(72.1), Ct));
    }

    [Fact]
    public async Task Roll_without_a_secret_is_404()
    {
        await using var server = await TestServer.StartAsync();

        var response = await server.Client.PostAsJsonAsync(Path + "/roll", new { expire_overlap_hours = 1 }, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Delete_is_204_then_get_is_null_and_nothing_signs()
    {
        await using var server = await TestServer.StartAsync();
        await CreateAsync(server.Client);
        await server.Client.PostAsJsonAsync(Path + "/roll", new { expire_overlap_hours = 24 }, Ct);

        var response = await server.Client.DeleteAsync(Path, Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("null", await server.Client.GetStringAsync(Path, Ct));
        Assert.Empty(await SigningSecretsAsync(server, "default"));
    }

    [Fact]
    public async Task One_organization_never_sees_or_changes_another_organizations_secret()
    {
        await using var server = await TestServer.StartAsync();
        var ours = (await CreateAsync(server.Client)).GetProperty("plaintext").GetString()!;
        using var other = server.NewClient(await server.CreateKeyAsync("other-org"));

        Assert.Equal("null", await other.GetStringAsync(Path, Ct));
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync(Path + "/roll", null, Ct)).StatusCode);
        var theirs = (await CreateAsync(other)).GetProperty("meta");
        Assert.Equal("other-org", theirs.GetProperty("org_id").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await other.DeleteAsync(Path, Ct)).StatusCode);

        Assert.Equal([ours], await SigningSecretsAsync(server, "default"));
        Assert.Equal("active", (await server.Client.GetFromJsonAsync<JsonElement>(Path, Ct)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_read_only_key_may_read_but_not_create_roll_or_delete()
    {
        await using var server = await TestServer.StartAsync();
        using var reader = server.NewClient(await server.CreateKeyAsync("default", readOnly: true));

        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(Path, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync(Path, null, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync(Path + "/roll", null, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.DeleteAsync(Path, Ct)).StatusCode);
        Assert.Empty(await SigningSecretsAsync(server, "default"));
    }

    [Fact]
    public async Task Requests_without_a_key_are_401()
    {
        await using var server = await TestServer.StartAsync();
        using var anonymous = server.NewClient(null);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(Path, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync(Path, null, Ct)).StatusCode);
    }

    [Fact]
    public async Task Secrets_survive_a_restart_on_the_same_data_directory()
    {
        var directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "enrichflow-tests", Guid.NewGuid().ToString("N"));
        try
        {
            string plaintext;
            await using (var first = await TestServer.StartAsync(dataDirectory: directory))
            {
                plaintext = (await CreateAsync(first.Client)).GetProperty("plaintext").GetString()!;
            }

            await using var second = await TestServer.StartAsync(dataDirectory: directory);
            Assert.Equal([plaintext], await SigningSecretsAsync(second, "default"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<JsonElement> CreateAsync(HttpClient client)
    {
        var response = await client.PostAsync(Path, null, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"create answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static Task<IReadOnlyList<string>> SigningSecretsAsync(TestServer server, string orgId) =>
        server.Services.GetRequiredService<ISigningSecretStore>().GetSigningSecretsAsync(orgId, DateTimeOffset.UtcNow, Ct);
}
