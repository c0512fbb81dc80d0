using System.ComponentModel;
using System.Text.Json;

namespace Enrichflow.Blocks.Webhooks;

/// <summary>Specs of <c>outgoing_webhook</c> (docs/api.md §5, §6).</summary>
/// <param name="Url">Where the event is POSTed: an absolute http or https URL.</param>
/// <param name="IncludeRows">true (up to 100 rows), false, or a number of rows from 0 to 100 to send inline.</param>
/// <param name="EventTypes">Which run ends send an event; every one when absent.</param>
public sealed record OutgoingWebhookSpecs(
    [property: Description("Where the event is POSTed when the run ends: an absolute http or https URL (checked by the SSRF guard).")] string Url,
    [property: Description("Rows of this block's output to send inline: true (up to 100), false (none), or a number from 0 to 100.")] JsonElement? IncludeRows = null,
    [property: Description("Which run ends send an event: any of run.completed, run.failed, run.cancelled; every one when absent.")] IReadOnlyList<string>? EventTypes = null);
