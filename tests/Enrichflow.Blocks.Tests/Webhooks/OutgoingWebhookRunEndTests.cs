using Enrichflow.Blocks.Webhooks;
using Enrichflow.Core.Blocks;
using static Enrichflow.Blocks.Tests.Validation.BlockTestKit;

namespace Enrichflow.Blocks.Tests.Webhooks;

/// <summary>The event an <c>outgoing_webhook</c> asks the host to send when its run ends.</summary>
public sealed class OutgoingWebhookRunEndTests
{
    [Fact]
    public void The_notice_carries_the_url_the_rows_and_the_event_types()
    {
        var block = Compile(new OutgoingWebhookBlockType(), """{"url": "https://hooks.example.com/in", "include_rows": 5, "event_types": ["run.failed"]}""");

        var notice = Assert.IsType<RunEndNotice>(block.RunEndNotice);
        Assert.Equal("https://hooks.example.com/in", notice.Url.OriginalString);
        Assert.Equal(5, notice.IncludeRows);
        Assert.True(notice.Sends(WebhookEvents.RunFailed));
        Assert.False(notice.Sends(WebhookEvents.RunCompleted));
    }

    [Fact]
    public void Without_event_types_every_run_end_sends_and_include_rows_true_is_the_most_rows()
    {
        var notice = Compile(new OutgoingWebhookBlockType(), """{"url": "https://hooks.example.com/in", "include_rows": true}""").RunEndNotice!;

        Assert.All(WebhookEvents.All, e => Assert.True(notice.Sends(e)));
        Assert.Equal(OutgoingWebhookBlockType.MaxInlineRows, notice.IncludeRows);
    }
}
