using System.Security.Cryptography;
using System.Text;
using Enrichflow.Core.Storage;

namespace Enrichflow.Blocks.Webhooks;

/// <summary>The event types of outgoing webhooks (docs/api.md §6) and their stable event ids.</summary>
public static class WebhookEvents
{
    public const string RunCompleted = "run.completed";
    public const string RunFailed = "run.failed";
    public const string RunCancelled = "run.cancelled";

    public static IReadOnlyList<string> All { get; } = [RunCompleted, RunFailed, RunCancelled];

    /// <summary>The event a run that ended in <paramref name="status"/> sends; null while it has not ended.</summary>
    public static string? ForStatus(RunStatus status) => status switch
    {
        RunStatus.Completed => RunCompleted,
        RunStatus.Failed => RunFailed,
        RunStatus.Cancelled => RunCancelled,
        _ => null,
    };

    /// <summary>
    /// The event id of one block's event for one run: a UUID (version 8) made from a SHA-256 of the three, so the same
    /// run end told twice, or found again by the sweep, records the same delivery once, and every attempt carries it.
    /// </summary>
    public static string EventId(Guid runId, string blockId, string eventType)
    {
        ArgumentNullException.ThrowIfNull(blockId);
        ArgumentNullException.ThrowIfNull(eventType);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"enrichflow.webhook\n{runId:N}\n{blockId}\n{eventType}"));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString("D");
    }
}
