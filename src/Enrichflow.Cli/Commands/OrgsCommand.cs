using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Enrichflow.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Cli.Commands;

/// <summary>
/// <c>enrichflow orgs limits set|show|clear ORG</c>: an organization's credit budgets (per UTC day and month) and quotas
/// (runs queued or running, runs queued, stored bytes), docs/api.md §1 "Organization limits". A running server reads
/// them from the store, so a change counts at once (a lowered limit within seconds).
/// </summary>
internal static partial class OrgsCommand
{
    private const string Unlimited = "unlimited";

    public static Command Create() =>
        new("orgs", "Manage organizations.") { new Command("limits", "An organization's credit budgets and quotas.") { Set(), Show(), Clear() } };

    private static Argument<string> OrgArgument() => new("ORG") { Description = "The organization's name (as in `keys create --org`)." };

    private static Command Set()
    {
        var org = OrgArgument();
        var perDay = Limit("--credits-per-day", "Credits the organization may spend per UTC day.");
        var perMonth = Limit("--credits-per-month", "Credits the organization may spend per UTC month.");
        var running = Limit("--max-running-runs", "Runs that may be queued or running at once.");
        var queued = Limit("--max-queued-runs", "Runs that may wait in the queue at once.");
        var bytes = Limit("--max-stored-bytes", "Bytes its uploads and result files may hold: a number of bytes, or with KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB.", "SIZE");
        var data = CommonOptions.Data();
        var set = new Command("set", $"Set limits of an organization; the ones not given stay as they are, '{Unlimited}' removes one.") { org, perDay, perMonth, running, queued, bytes, data };
        set.SetAction(async (parse, cancellationToken) =>
        {
            var name = parse.GetValue(org)!;
            if (!ValidName(name, out var nameError))
            {
                await Console.Error.WriteLineAsync(nameError);
                return 2;
            }

            var problems = new List<string>();
            var day = Parse(parse.GetValue(perDay), "--credits-per-day", ParseCredits, problems);
            var month = Parse(parse.GetValue(perMonth), "--credits-per-month", ParseCredits, problems);
            var maxRunning = Parse(parse.GetValue(running), "--max-running-runs", ParseCount, problems);
            var maxQueued = Parse(parse.GetValue(queued), "--max-queued-runs", ParseCount, problems);
            var maxBytes = Parse(parse.GetValue(bytes), "--max-stored-bytes", ParseSize, problems);
            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    await Console.Error.WriteLineAsync($"enrichflow: {problem}");
                }

                return 2;
            }

            await using var services = await CliStore.OpenAsync(parse.GetValue(data), cancellationToken);
            var now = TimeProvider.System.GetUtcNow();
            await services.GetRequiredService<IAccountStore>().GetOrCreateOrganizationAsync(name, now, cancellationToken);
            var store = services.GetRequiredService<IOrgLimitStore>();
            var before = await store.GetOrgLimitsAsync(name, cancellationToken) ?? new OrgLimits(name);
            var after = new OrgLimits(name,
                day.Given ? day.Value : before.CreditsPerDay,
                month.Given ? month.Value : before.CreditsPerMonth,
                maxRunning.Given ? (int?)maxRunning.Value : before.MaxRunningRuns,
                maxQueued.Given ? (int?)maxQueued.Value : before.MaxQueuedRuns,
                maxBytes.Given ? maxBytes.Value : before.MaxStoredBytes,
                now);
            await store.SetOrgLimitsAsync(after, cancellationToken);
            WriteTable(after, await store.GetOrgFootprintAsync(name, Today(), cancellationToken));
            return 0;
        });
        return set;
    }

    private static Command Show()
    {
        var org = OrgArgument();
        var json = new Option<bool>("--json") { Description = "Print a JSON object instead of a table." };
        var data = CommonOptions.Data();
        var show = new Command("show", "Show an organization's limits and what it uses of each now.") { org, json, data };
        show.SetAction(async (parse, cancellationToken) =>
        {
            var name = parse.GetValue(org)!;
            if (!ValidName(name, out var nameError))
            {
                await Console.Error.WriteLineAsync(nameError);
                return 2;
            }

            await using var services = await CliStore.OpenAsync(parse.GetValue(data), cancellationToken);
            var store = services.GetRequiredService<IOrgLimitStore>();
            var limits = await store.GetOrgLimitsAsync(name, cancellationToken) ?? new OrgLimits(name);
            var used = await store.GetOrgFootprintAsync(name, Today(), cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new LimitsListing(name, limits.CreditsPerDay, limits.CreditsPerMonth, limits.MaxRunningRuns,
                    limits.MaxQueuedRuns, limits.MaxStoredBytes, limits.UpdatedAt,
                    new UsedListing(used.CreditsToday, used.CreditsThisMonth, used.QueuedRuns, used.RunningRuns, used.StoredBytes)), ListingJson));
                return 0;
            }

            WriteTable(limits, used);
            return 0;
        });
        return show;
    }

    private static Command Clear()
    {
        var org = OrgArgument();
        var data = CommonOptions.Data();
        var clear = new Command("clear", "Remove every limit of an organization (the server's Limits:Org defaults apply, unlimited unless configured).") { org, data };
        clear.SetAction(async (parse, cancellationToken) =>
        {
            var name = parse.GetValue(org)!;
            await using var services = await CliStore.OpenAsync(parse.GetValue(data), cancellationToken);
            var removed = await services.GetRequiredService<IOrgLimitStore>().ClearOrgLimitsAsync(name, cancellationToken);
            Console.WriteLine(removed ? $"Cleared the limits of {name}." : $"Organization '{name}' had no limits.");
            return 0;
        });
        return clear;
    }

    private static Option<string?> Limit(string name, string description, string helpName = "N") =>
        new(name) { Description = $"{description} '{Unlimited}' removes the limit.", HelpName = helpName };

    private static bool ValidName(string name, out string error)
    {
        error = $"enrichflow: organization name '{name}' is not valid: use 1 to 64 letters, digits, '_', '.' or '-'.";
        return OrgName().IsMatch(name);
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex OrgName();

    private static DateOnly Today() => DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime);

    private readonly record struct OptionValue<T>(bool Given, T? Value)
        where T : struct;

    /// <summary>An option's value: not given, <c>unlimited</c> (given, null), or parsed; a bad one adds a problem naming the option.</summary>
    private static OptionValue<T> Parse<T>(string? text, string option, Func<string, T?> parse, List<string> problems)
        where T : struct
    {
        if (text is null)
        {
            return default;
        }

        if (text.Equals(Unlimited, StringComparison.OrdinalIgnoreCase))
        {
            return new(true, null);
        }

        if (parse(text.Trim()) is { } value)
        {
            return new(true, value);
        }

        problems.Add($"{option} '{text}' is not valid: give {(option == "--max-stored-bytes" ? "a size such as 500MB, 10GiB or 1073741824" : option.StartsWith("--credits", StringComparison.Ordinal) ? "a number of credits of 0 or more" : "a whole number of 0 or more")}, or '{Unlimited}'.");
        return default;
    }

    private static double? ParseCredits(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value >= 0 ? value : null;

    private static int? ParseCount(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>Bytes, or a number with a unit: KB, MB, GB, TB (powers of 1000), KiB, MiB, GiB, TiB (powers of 1024), B; any case.</summary>
    internal static long? ParseSize(string text)
    {
        var match = SizePattern().Match(text);
        if (!match.Success || !decimal.TryParse(match.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        decimal unit = match.Groups[2].Value.ToUpperInvariant() switch
        {
            "" or "B" => 1m,
            "KB" => 1e3m,
            "MB" => 1e6m,
            "GB" => 1e9m,
            "TB" => 1e12m,
            "KIB" => 1024m,
            "MIB" => 1024m * 1024,
            "GIB" => 1024m * 1024 * 1024,
            _ => 1024m * 1024 * 1024 * 1024,
        };
        var bytes = decimal.Floor(number * unit);
        return bytes <= long.MaxValue ? (long)bytes : null;
    }

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$", RegexOptions.IgnoreCase)]
    private static partial Regex SizePattern();

    private static void WriteTable(OrgLimits limits, OrgFootprint used)
    {
        string[] header = ["LIMIT", "VALUE", "USED"];
        var rows = new List<string[]>
        {
            new[] { "credits_per_day", Show(limits.CreditsPerDay), Number(used.CreditsToday) + " today (UTC)" },
            new[] { "credits_per_month", Show(limits.CreditsPerMonth), Number(used.CreditsThisMonth) + " this month (UTC)" },
            new[] { "max_running_runs", Show(limits.MaxRunningRuns), $"{used.QueuedRuns + used.RunningRuns} queued or running" },
            new[] { "max_queued_runs", Show(limits.MaxQueuedRuns), $"{used.QueuedRuns} queued" },
            new[] { "max_stored_bytes", Show(limits.MaxStoredBytes), $"{used.StoredBytes} bytes" },
        };
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        Console.WriteLine($"Organization {limits.OrgId} (unset limits take the server's Limits:Org defaults, unlimited unless configured):");
        foreach (var row in rows.Prepend(header))
        {
            Console.WriteLine(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        }
    }

    private static string Show(double? value) => value is { } v ? Number(v) : "unset";

    private static string Show(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "unset";

    private static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static readonly JsonSerializerOptions ListingJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private sealed record LimitsListing(string OrgId, double? CreditsPerDay, double? CreditsPerMonth, int? MaxRunningRuns, int? MaxQueuedRuns, long? MaxStoredBytes,
        DateTimeOffset? UpdatedAt, UsedListing Used);

    private sealed record UsedListing(double CreditsToday, double CreditsThisMonth, int QueuedRuns, int RunningRuns, long StoredBytes);
}
