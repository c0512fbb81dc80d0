using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Enrichflow.Core.Blocks;
using Microsoft.Extensions.Options;

namespace Enrichflow.Blocks.Slack;

/// <summary>Specs of <c>send_slack_message</c>.</summary>
public sealed record SendSlackMessageSpecs(
    [property: Description("A webhook name from the server configuration (Slack:Webhooks:NAME); its URL is a secret and never in a definition.")] string Webhook,
    [property: Description("The text, with {column} and {run.field} references; a default per mode.")] string? Message = null,
    [property: Description("summary: one message when the run ends; per_row: one message per row.")][property: AllowedValues("summary", "per_row")] string Mode = "summary",
    [property: Description("How many of the block's rows a summary lists (0 to 40).")] int MaxRows = 20);

/// <summary>
/// <c>send_slack_message</c> (docs/api.md §5.3): posts <c>{"text", "blocks"}</c> to a Slack incoming webhook named in
/// the server configuration, at most one message a second per webhook (shared across runs), retrying 429 after
/// <c>Retry-After</c> and 5xx with backoff, through the outbound guard; passes its rows on.
/// </summary>
public sealed class SendSlackMessageBlockType(IOptions<SlackOptions> options) : BlockType<SendSlackMessageSpecs>
{
    public const int MaxSummaryRows = 40;

    public const string DefaultSummary = "Run {run.id} of workflow {run.workflow_name} {run.status}: {run.rows_in} rows in, {run.rows_out} rows out, {run.rows_failed} failed.";

    public override string Name => "send_slack_message";

    public override string SpecsExample => """
        {"webhook": "sales", "mode": "summary", "message": "Run {run.id} {run.status}: {run.rows_out} leads ready", "max_rows": 5}
        """;

    public override string Description =>
        "Posts to a Slack incoming webhook named in the server configuration (Slack:Webhooks:NAME; the URL is a secret): "
        + "in summary mode (the default) one message when the run ends, with run fields such as {run.rows_out} and up to "
        + "max_rows of the block's rows; in per_row mode one message per row, the message template filled from the row's "
        + "{column}s. At most one message a second per webhook; 429 is retried after Retry-After, 5xx with backoff. Sent messages "
        + "are recorded, so a unit run again after a crash skips them, and a summary is claimed before it is sent, so it goes "
        + "at most once. Rows pass on; in per_row mode a row whose message could not be sent fails.";

    protected override CompiledBlock? Compile(SendSlackMessageSpecs specs, BlockCompileContext context)
    {
        var id = context.Definition.BlockId;
        var webhooks = options.Value.Webhooks;
        if (string.IsNullOrWhiteSpace(specs.Webhook) || !webhooks.ContainsKey(specs.Webhook.Trim()))
        {
            var configured = webhooks.Count == 0 ? "none is configured" : $"configured webhooks: {string.Join(", ", webhooks.Keys.Order(StringComparer.Ordinal))}";
            context.AddError("webhook", $"Block '{id}': webhook '{specs.Webhook}' is not configured on this server ({configured}); add it as Slack:Webhooks:NAME in the server configuration.");
        }

        var mode = specs.Mode?.Trim().ToLowerInvariant();
        if (mode is not ("summary" or "per_row"))
        {
            context.AddError("mode", $"Block '{id}': mode must be 'summary' or 'per_row' (got '{specs.Mode}').");
        }

        if (specs.MaxRows is < 0 or > MaxSummaryRows)
        {
            context.AddError("max_rows", $"Block '{id}': max_rows must be between 0 and {MaxSummaryRows} (got {specs.MaxRows}).");
        }

        SlackTemplate? template = null;
        if (specs.Message is not null || mode == "summary")
        {
            template = SlackTemplate.Parse(specs.Message ?? DefaultSummary, out var error);
            if (template is null)
            {
                context.AddError("message", $"Block '{id}': message: {error}.");
            }
            else
            {
                var allowed = mode == "per_row" ? SlackTemplate.RowRunFields : SlackTemplate.SummaryRunFields;
                if (mode == "summary" && template.Columns.FirstOrDefault() is { } column)
                {
                    context.AddError("message", $"Block '{id}': a summary message cannot name the column {{{column}}} (its rows are listed under it, up to max_rows); use {{run.field}}s, or mode 'per_row'.");
                }

                foreach (var field in template.RunFields.Where(f => !allowed.Contains(f, StringComparer.Ordinal)))
                {
                    context.AddError("message", $"Block '{id}': message uses {{run.{field}}}, which a {mode} message cannot know; run fields: {string.Join(", ", allowed.Select(f => $"{{run.{f}}}"))}.");
                }
            }
        }

        return new SendSlackMessageBlock(specs.Webhook?.Trim() ?? "", template, mode == "per_row", specs.MaxRows);
    }
}
