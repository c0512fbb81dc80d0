using System.Net;
using System.Text;
using Enrichflow.Server.Tests.Infrastructure;
using static Enrichflow.Server.Tests.BadInput.BadInputKit;

namespace Enrichflow.Server.Tests.BadInput;

/// <summary>
/// A record over <c>Limits:MaxRecordBytes</c> (docs/api.md §4, §9): refused with a 413 naming the element or line when
/// the upload or the payload is inspected, and nothing is kept.
/// </summary>
public sealed class RecordCapBadInputTests
{
    private const int Cap = 64 * 1024;

    private static Dictionary<string, string?> SmallCap => new() { ["Limits:MaxRecordBytes"] = Cap.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    [Theory]
    [InlineData("big.json", "element 0")]
    [InlineData("big.jsonl", "line 1")]
    [InlineData("big.csv", "line 2")]
    public async Task Upload_whose_first_record_is_over_the_cap_is_413_naming_it_and_leaves_no_blob(string fileName, string where)
    {
        await using var server = await TestServer.StartAsync(SmallCap);
        var big = new string('q', 2 * Cap);
        var content = fileName switch
        {
            "big.json" => $$"""[{"v": "{{big}}"}]""",
            "big.jsonl" => $$"""{"v": "{{big}}"}""" + "\n",
            _ => "name,v\nann," + big + "\n",
        };

        var response = await UploadRawAsync(server, fileName, Encoding.UTF8.GetBytes(content));

        await AssertDetailAsync(response, HttpStatusCode.RequestEntityTooLarge, fileName, where, "64 KiB", "Limits:MaxRecordBytes");
        Assert.Empty(StoredFiles(server, "uploads"));
    }

    [Fact]
    public async Task Webhook_payload_element_over_the_cap_is_413_naming_its_index_and_queues_nothing()
    {
        await using var server = await TestServer.StartAsync(SmallCap);
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var json = $$"""{"webhook_payload": [{"a": 1}, {"a": 2}, {"v": "{{new string('p', 2 * Cap)}}"}]}""";

        var response = await PostRunRawAsync(server, workflow, json);

        await AssertDetailAsync(response, HttpStatusCode.RequestEntityTooLarge, "webhook_payload[2]", "64 KiB", "Limits:MaxRecordBytes");
        Assert.Equal(0, await RunCountAsync(server));
        Assert.Empty(StoredFiles(server, "runs"));
    }

    [Fact]
    public async Task A_record_cap_below_1_KiB_or_a_definition_cap_below_1_is_a_configuration_problem()
    {
        var directory = Path.Combine(Path.GetTempPath(), "enrichflow-tests", Guid.NewGuid().ToString("N"));
        try
        {
            await using var app = Enrichflow.Server.Hosting.EnrichflowApp.Build(new Enrichflow.Server.Hosting.ServeSettings("http://127.0.0.1:0", directory), overrides:
                [new("Limits:MaxRecordBytes", "10"), new("Limits:MaxBlocks", "0")]);

            var problems = Enrichflow.Server.Hosting.EnrichflowApp.ConfigurationProblems(app);
            Assert.Contains("Limits:MaxRecordBytes must be at least 1024 (was 10).", problems);
            Assert.Contains("Limits:MaxBlocks must be at least 1 (was 0).", problems);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
