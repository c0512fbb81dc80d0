using Enrichflow.Core.Storage;

namespace Enrichflow.Core.Blocks;

/// <summary>
/// An event a block asks the host to send when its run ends (<c>outgoing_webhook</c>, docs/api.md §6): to
/// <see cref="Url"/>, for the run ends in <see cref="EventTypes"/>. The host records it durably and its sender
/// delivers it; the block does nothing itself.
/// </summary>
/// <param name="IncludeRows">How many rows of the block's output go inline (0 for none).</param>
/// <param name="EventTypes"><c>run.completed</c>, <c>run.failed</c>, <c>run.cancelled</c>: the run ends that send the event.</param>
public sealed record RunEndNotice(Uri Url, int IncludeRows, IReadOnlyList<string> EventTypes)
{
    public bool Sends(string eventType) => EventTypes.Contains(eventType, StringComparer.Ordinal);
}

/// <summary>Where a block hears that its run ended (<see cref="CompiledBlock.OnRunEndedAsync"/>).</summary>
public sealed class BlockRunEndContext
{
    /// <summary>The run as it ended: completed, failed or cancelled.</summary>
    public required RunRecord Run { get; init; }

    public required string BlockId { get; init; }

    public required IServiceProvider Services { get; init; }
}
