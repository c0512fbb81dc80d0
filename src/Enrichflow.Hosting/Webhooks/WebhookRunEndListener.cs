using Enrichflow.Blocks.Webhooks;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Execution;

namespace Enrichflow.Hosting.Webhooks;

/// <summary>
/// Records, when a run ends, one delivery per block whose <see cref="CompiledBlock.RunEndNotice"/> sends the run's
/// end (an <c>outgoing_webhook</c> and its <c>event_types</c>), then wakes the <see cref="WebhookSender"/>. Being told twice records nothing new (stable event ids); the
/// sender's sweep covers a run whose end this listener never heard of.
/// </summary>
public sealed class WebhookRunEndListener(IWebhookDeliveryStore store, WebhookSender sender, TimeProvider time) : IRunEndListener
{
    public async Task OnRunEndedAsync(RunRecord run, WorkflowPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(plan);
        if (!HasWebhooks(plan))
        {
            return;
        }

        var now = time.GetUtcNow();
        if (await store.RecordRunDeliveriesAsync(run.Id, Deliveries(run, plan, now), now, cancellationToken) > 0)
        {
            sender.Notify();
        }
    }

    public static bool HasWebhooks(WorkflowPlan plan) => plan.Blocks.Any(b => b.Compiled.RunEndNotice is not null);

    /// <summary>The deliveries an ended run calls for: one per block whose run-end notice sends the run's event type.</summary>
    public static IReadOnlyList<WebhookDeliveryRecord> Deliveries(RunRecord run, WorkflowPlan plan, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(plan);
        if (WebhookEvents.ForStatus(run.Status) is not { } eventType)
        {
            return [];
        }

        var deliveries = new List<WebhookDeliveryRecord>();
        foreach (var block in plan.Blocks)
        {
            if (block.Compiled.RunEndNotice is { } notice && notice.Sends(eventType))
            {
                deliveries.Add(new WebhookDeliveryRecord(
                    WebhookEvents.EventId(run.Id, block.Id, eventType), run.Id, run.OrgId, run.WorkflowId, block.Id, eventType,
                    notice.Url.OriginalString, notice.IncludeRows, WebhookDeliveryStatus.Pending, 0, now, now));
            }
        }

        return deliveries;
    }
}
