using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Enrichflow.Client;
using Spectre.Console;

namespace Enrichflow.Cli.Remote;

/// <summary>Tables on a terminal (Spectre.Console), the API's JSON shapes with <c>--json</c>.</summary>
internal static class RemoteOutput
{
    /// <summary>Text as itself ('+', quotes in expressions, non-ASCII), as the API writes it; only what JSON must escape is escaped.</summary>
    public static readonly System.Text.Encodings.Web.JavaScriptEncoder Relaxed = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    private static readonly JsonSerializerOptions Indented = new(EnrichflowJsonContext.Default.Options) { WriteIndented = true, Encoder = Relaxed };
    private static readonly JsonSerializerOptions Compact = new(EnrichflowJsonContext.Default.Options) { Encoder = Relaxed };

    /// <summary>The console of stdout; when it is redirected (a pipe, a file) tables are laid out 200 columns wide rather than wrapped at 80.</summary>
    public static IAnsiConsole Console()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Out) });
        if (System.Console.IsOutputRedirected)
        {
            console.Profile.Width = 200;
        }

        return console;
    }

    /// <summary>Writes <paramref name="value"/> as the API's JSON (snake_case), indented.</summary>
    public static void WriteJson<T>(T value, JsonTypeInfo<T> type) =>
        System.Console.Out.WriteLine(JsonSerializer.Serialize(value, (JsonTypeInfo<T>)Indented.GetTypeInfo(type.Type)));

    /// <summary>One line of JSON (for streams of statuses: NDJSON).</summary>
    public static void WriteJsonLine<T>(T value, JsonTypeInfo<T> type) => System.Console.Out.WriteLine(JsonSerializer.Serialize(value, (JsonTypeInfo<T>)Compact.GetTypeInfo(type.Type)));

    /// <summary>A JSON value in one line, text unescaped.</summary>
    public static string Inline(JsonNode? node) => node?.ToJsonString(Compact) ?? "{}";

    public static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(Markup.Escape(column)).NoWrap());
        }

        return table;
    }

    /// <summary>Adds a row of plain texts (escaped: a workflow name with brackets is not markup).</summary>
    public static void Row(Table table, params string?[] cells) => table.AddRow([.. cells.Select(c => Markup.Escape(c ?? "-"))]);

    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";

    public static string Number(long? value) => value is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "-";

    public static string Number(double? value) => value is { } v ? v.ToString("0.####", CultureInfo.InvariantCulture) : "-";

    public static string Duration(long? milliseconds) =>
        milliseconds is { } ms ? TimeSpan.FromMilliseconds(ms).ToString(ms >= 3_600_000 ? @"h\:mm\:ss" : @"m\:ss\.f", CultureInfo.InvariantCulture) : "-";
}
