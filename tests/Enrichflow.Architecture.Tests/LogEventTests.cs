using System.Reflection;
using Enrichflow.Core.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Enrichflow.Architecture.Tests;

/// <summary>Every source-generated log message takes its id from <see cref="LogEvents"/>, and no two messages share one.</summary>
public sealed class LogEventTests
{
    private static readonly string[] Parts =
    [
        "Enrichflow.Core", "Enrichflow.Providers", "Enrichflow.Blocks", "Enrichflow.Engine", "Enrichflow.Storage.Sqlite",
        "Enrichflow.Storage.LocalDisk", "Enrichflow.Storage.S3", "Enrichflow.Dispatch.Hangfire", "Enrichflow.Hosting", "Enrichflow.Server", "enrichflow",
    ];

    private static IReadOnlyList<(string Method, int Id)> Messages() =>
    [
        .. Parts.Select(Assembly.Load)
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: $"{m.DeclaringType!.FullName}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .Select(m => (m.Method, m.Attribute!.EventId)),
    ];

    private static IReadOnlyDictionary<int, string> Catalogue() =>
        typeof(LogEvents).GetFields(BindingFlags.Public | BindingFlags.Static)
            .ToDictionary(f => (int)f.GetRawConstantValue()!, f => f.Name);

    [Fact]
    public void The_catalogue_gives_each_event_its_own_id() =>
        Assert.Equal(
            typeof(LogEvents).GetFields(BindingFlags.Public | BindingFlags.Static).Length,
            typeof(LogEvents).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (int)f.GetRawConstantValue()!).Distinct().Count());

    [Fact]
    public void Every_log_message_has_an_id_from_the_catalogue_and_no_two_share_one()
    {
        var messages = Messages();
        var catalogue = Catalogue();

        Assert.NotEmpty(messages);
        Assert.All(messages, m => Assert.True(catalogue.ContainsKey(m.Id), $"{m.Method} logs with event id {m.Id}, which LogEvents does not list."));
        var shared = messages.GroupBy(m => m.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}").ToList();
        Assert.True(shared.Count == 0, "Event ids used by more than one message: " + string.Join("; ", shared));
    }

    [Fact]
    public void Every_catalogue_id_is_logged_somewhere()
    {
        var used = Messages().Select(m => m.Id).ToHashSet();
        Assert.All(Catalogue(), entry => Assert.True(used.Contains(entry.Key), $"LogEvents.{entry.Value} ({entry.Key}) is not used by any log message."));
    }
}
