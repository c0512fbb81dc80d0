using Enrichflow.Blocks.Sources;
using Enrichflow.Core.Blocks;
using static Enrichflow.Blocks.Tests.Sources.SourceTestKit;

namespace Enrichflow.Blocks.Tests.Sources;

/// <summary>What a source tells the server about its run's input before the run is queued.</summary>
public sealed class SourceRunInputTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string StrictSpecs = """{"strict": true, "input_schema": {"email": {"required": true}, "name": {"type": "str"}}}""";

    [Fact]
    public async Task A_strict_webhook_names_the_first_row_missing_a_required_column()
    {
        var block = Compile(new WebhookBlockType(), StrictSpecs);

        var problem = await block.CheckPayloadAsync(Input("""{"webhook_payload": [{"email": "a@b.co"}, {"name": "x"}, {}]}"""), "incoming", Ct);

        Assert.Equal("webhook_payload[1] is missing required column 'email' (webhook block 'incoming' is strict; its input_schema marks 'email' required).", problem);
    }

    [Fact]
    public async Task A_lenient_webhook_or_one_without_required_columns_does_not_read_the_payload()
    {
        var unreadable = new SourceInput { OpenAsync = _ => throw new InvalidOperationException("read") };

        Assert.Null(await Compile(new WebhookBlockType(), """{"input_schema": {"email": {"required": true}}}""").CheckPayloadAsync(unreadable, "incoming", Ct));
        Assert.Null(await Compile(new WebhookBlockType(), """{"strict": true}""").CheckPayloadAsync(unreadable, "incoming", Ct));
    }

    [Fact]
    public async Task A_strict_webhook_passes_a_payload_whose_rows_are_complete()
    {
        var block = Compile(new WebhookBlockType(), StrictSpecs);

        Assert.Null(await block.CheckPayloadAsync(Input("""{"webhook_payload": [{"email": "a@b.co"}, {"email": "c@d.co"}]}"""), "incoming", Ct));
    }

    [Fact]
    public async Task A_webhook_scans_the_request_body_it_reads()
    {
        var block = Compile(new WebhookBlockType());
        await using var body = await Input("""{"specs_override": {"a": 1}, "webhook_payload": [{"a": 1}, 2]}""").OpenAsync(Ct);

        var scan = await block.ScanPayloadAsync(body, Ct);

        Assert.Equal((2L, 1L, true, """{"a": 1}"""), (scan.ElementCount, scan.FirstNonObjectIndex, scan.PayloadPresent, scan.SpecsOverrideJson));
    }

    [Fact]
    public async Task An_upload_source_names_its_upload_and_reads_no_payload()
    {
        var block = Compile(new ReadCsvBlockType(), """{"resource_handle_id": "0196a3f2-0000-7000-8000-000000000001"}""");

        Assert.Equal(SourceInputKind.Upload, block.InputKind);
        Assert.Equal("0196a3f2-0000-7000-8000-000000000001", block.UploadHandle);
        Assert.Null(Compile(new ReadCsvBlockType()).UploadHandle);
        Assert.Null(await block.CheckPayloadAsync(Input("{}"), "upload", Ct));
        await Assert.ThrowsAsync<NotSupportedException>(() => block.ScanPayloadAsync(Stream.Null, Ct));
    }
}
