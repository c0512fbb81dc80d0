using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Enrichflow.Core.Storage;
using Enrichflow.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Cli.Commands;

/// <summary><c>enrichflow keys create --org NAME [--read-only]</c> (prints a new API key alone on stdout), <c>keys list</c>, <c>keys revoke KEY_ID</c>.</summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var org = new Option<string>("--org") { Description = "The organization the key belongs to (created when new).", Required = true, HelpName = "NAME" };
        var readOnly = new Option<bool>("--read-only") { Description = "The key may read but not change anything." };
        var data = CommonOptions.Data();
        var create = new Command("create", "Create an API key and print it (alone) on stdout.") { org, readOnly, data };
        create.SetAction(async (parse, cancellationToken) =>
        {
            var name = parse.GetValue(org)!;
            if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[A-Za-z0-9_.-]{1,64}$"))
            {
                await Console.Error.WriteLineAsync($"enrichflow: organization name '{name}' is not valid: use 1 to 64 letters, digits, '_', '.' or '-'.");
                return 2;
            }

            await using var services = await CliStore.OpenAsync(parse.GetValue(data), cancellationToken);
            var store = services.GetRequiredService<IAccountStore>();
            var key = await ApiKeys.CreateAsync(store, name, parse.GetValue(readOnly), TimeProvider.System.GetUtcNow(), cancellationToken);
            Console.WriteLine(key);
            return 0;
        });
        return new Command("keys", "Manage API keys.") { create, List(), Revoke() };
    }

    /// <summary><c>enrichflow keys list [--json]</c>: id, organization, read-only, created and revoked of every key; never a secret.</summary>
    private static Command List()
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array instead of a table." };
        var data = CommonOptions.Data();
        var list = new Command("list", "List API keys (ids, never the keys themselves).") { json, data };
        list.SetAction(async (parse, cancellationToken) =>
        {
            await using var services = await CliStore.OpenAsync(parse.GetValue(data), cancellationToken);
            var keys = await services.GetRequiredService<IAccountStore>().ListApiKeysAsync(cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(keys.Select(k => new KeyListing(k.Id, k.OrgId, k.ReadOnly, k.CreatedAt, k.RevokedAt)), ListingJson));
                return 0;
            }

            string[] header = ["ID", "ORG", "READ-ONLY", "CREATED", "REVOKED"];
            var rows = keys.Select(k => new[]
            {
                k.Id, k.OrgId, k.ReadOnly ? "yes" : "no", Time(k.CreatedAt), k.RevokedAt is { } revoked ? Time(revoked) : "-",
            }).ToList();
            var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
            foreach (var row in rows.Prepend(header))
            {
                Console.WriteLine(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
            }

            return 0;
        });
        return list;
    }

    /// <summary><c>enrichflow keys revoke KEY_ID</c>: the key authenticates no more (401 from its next request).</summary>
    private static Command Revoke()
    {
        var id = new Argument<string>("KEY_ID") { Description = "The key's id, as `keys list` shows it." };
        var data = CommonOptions.Data();
        var revoke = new Command("revoke", "Revoke an API key: its requests get 401 at once.") { id, data };
        revoke.SetAction(async (parse, cancellationToken) =>
        {
            var keyId = parse.GetValue(id)!;
            await using var services = await CliStore.OpenAsync(parse.GetValue(data), cancellationToken);
            if (!await services.GetRequiredService<IAccountStore>().RevokeApiKeyAsync(keyId, TimeProvider.System.GetUtcNow(), cancellationToken))
            {
                await Console.Error.WriteLineAsync($"enrichflow: no API key has id '{keyId}' (see `enrichflow keys list`).");
                return 1;
            }

            Console.WriteLine($"Revoked {keyId}.");
            return 0;
        });
        return revoke;
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static readonly JsonSerializerOptions ListingJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private sealed record KeyListing(string Id, string OrgId, bool ReadOnly, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
}
