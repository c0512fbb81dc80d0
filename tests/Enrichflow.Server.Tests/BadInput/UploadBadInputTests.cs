using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Enrichflow.Server.Tests.Infrastructure;
using static Enrichflow.Server.Tests.BadInput.BadInputKit;

namespace Enrichflow.Server.Tests.BadInput;

/// <summary>
/// <c>POST /storage/csv/upload</c> (docs/api.md §1, §4): files of the wrong type, empty, unreadable or too big are
/// refused naming the file and line, and nothing is kept.
/// </summary>
public sealed class UploadBadInputTests
{
    [Theory]
    [InlineData("setup.exe")]
    [InlineData("leads.xlsx")]
    [InlineData("leads")]
    public async Task Upload_of_an_unsupported_type_is_415_naming_the_type(string fileName)
    {
        await using var server = await TestServer.StartAsync();
        var response = await UploadRawAsync(server, fileName, Encoding.UTF8.GetBytes("MZ\0\0name\nann\n"));
        var extension = Path.GetExtension(fileName);
        await AssertDetailAsync(response, HttpStatusCode.UnsupportedMediaType, fileName, extension.Length > 0 ? extension : "(none)", ".csv");
        Assert.Empty(StoredFiles(server, "uploads"));
    }

    [Theory]
    [InlineData("empty.csv")]
    [InlineData("empty.json")]
    [InlineData("empty.jsonl")]
    public async Task Upload_of_an_empty_file_is_400_naming_line_1(string fileName)
    {
        await using var server = await TestServer.StartAsync();
        await AssertDetailAsync(await UploadRawAsync(server, fileName, []), HttpStatusCode.BadRequest, fileName, "line 1");
        Assert.Empty(StoredFiles(server, "uploads"));
    }

    [Theory]
    [InlineData("name,score\n", "line 1")]
    [InlineData("name,score\r\n\r\n\r\n", "line 1")]
    [InlineData("\n\nname,score\n", "line 3")]
    public async Task Upload_of_a_csv_with_a_header_but_no_rows_is_400_naming_the_header_line(string csv, string line)
    {
        await using var server = await TestServer.StartAsync();
        await AssertDetailAsync(await UploadRawAsync(server, "header-only.csv", Encoding.UTF8.GetBytes(csv)), HttpStatusCode.BadRequest, "no rows", line);
        Assert.Empty(StoredFiles(server, "uploads"));
    }

    [Theory]
    [InlineData("blank-lines")]
    [InlineData("nul-in-header")]
    [InlineData("invalid-utf8-header")]
    [InlineData("unterminated-header")]
    public async Task Upload_of_a_csv_without_a_readable_header_is_400_naming_line_1(string kind)
    {
        await using var server = await TestServer.StartAsync();
        var content = kind switch
        {
            "blank-lines" => Bytes("\n\n\r\n"),
            "nul-in-header" => Bytes("na", new byte[] { 0 }, "me,score\nann,1\n"),
            "invalid-utf8-header" => Bytes("na", new byte[] { 0xFF, 0xFE }, "me,score\nann,1\n"),
            _ => Bytes("\"name,score\nann,1\n"),
        };
        await AssertDetailAsync(await UploadRawAsync(server, "no-header.csv", content), HttpStatusCode.BadRequest, "no-header.csv", "line 1");
        Assert.Empty(StoredFiles(server, "uploads"));
    }

    [Theory]
    [InlineData("rows.json", "[]", "line 1")]
    [InlineData("rows.json", "  \n\n", "line 1")]
    [InlineData("rows.json", "{\"a\": 1}", "byte 0")]
    [InlineData("rows.json", "[1, 2]", "element 0")]
    [InlineData("rows.jsonl", "\n\n", "line")]
    [InlineData("rows.jsonl", "not json\n{\"a\": 1}\n", "line 1")]
    [InlineData("rows.ndjson", "[1]\n", "line 1")]
    public async Task Upload_of_unreadable_json_is_400_naming_the_line(string fileName, string content, string place)
    {
        await using var server = await TestServer.StartAsync();
        await AssertDetailAsync(await UploadRawAsync(server, fileName, Encoding.UTF8.GetBytes(content)), HttpStatusCode.BadRequest, fileName, place);
        Assert.Empty(StoredFiles(server, "uploads"));
    }

    [Fact]
    public async Task Upload_without_a_file_part_or_not_multipart_is_400_naming_the_part()
    {
        await using var server = await TestServer.StartAsync();
        using (var form = new MultipartFormDataContent())
        {
            form.Add(new StringContent("name\nann\n"), "document", "leads.csv");
            await AssertDetailAsync(await server.Client.PostAsync("/storage/csv/upload", form, Ct), HttpStatusCode.BadRequest, "'file'");
        }

        using var raw = new StringContent("name\nann\n", Encoding.UTF8, "text/csv");
        await AssertDetailAsync(await server.Client.PostAsync("/storage/csv/upload", raw, Ct), HttpStatusCode.BadRequest, "multipart/form-data", "'file'");
        Assert.Empty(StoredFiles(server, "uploads"));
    }

    [Theory]
    [InlineData(10 * 1024)]
    [InlineData(1024 * 1024)]
    public async Task Upload_over_MaxUploadBytes_is_413_naming_the_limit_and_keeps_nothing(int size)
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Limits:MaxUploadBytes"] = "4096" });
        var csv = new StringBuilder(GoodCsvHeader);
        for (var i = 0; csv.Length < size; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"lead {i},{i}\n");
        }

        await AssertDetailAsync(await UploadRawAsync(server, "big.csv", Encoding.UTF8.GetBytes(csv.ToString())), HttpStatusCode.RequestEntityTooLarge, "4096", "MaxUploadBytes");
        Assert.Empty(StoredFiles(server, "uploads"));

        // The server still takes an upload under the limit.
        await server.UploadAsync("small.csv", Encoding.UTF8.GetBytes("name,score\nann,1\n"));
    }

    [Fact]
    public async Task A_read_only_key_may_neither_upload_nor_start_a_run()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        using var reader = server.NewClient(await server.CreateKeyAsync("default", readOnly: true));
        Assert.Equal("Access denied", await AssertDetailAsync(await UploadRawAsync(server, "a.csv", Encoding.UTF8.GetBytes("a\n1\n"), reader), HttpStatusCode.Forbidden));
        Assert.Equal("Access denied", await AssertDetailAsync(
            await reader.PostAsJsonAsync($"/workflows/run?workflow_id={workflow}", new { webhook_payload = new { a = 1 } }, Ct), HttpStatusCode.Forbidden));
        Assert.Equal(0, await RunCountAsync(server));
        Assert.Empty(StoredFiles(server, "uploads"));
    }
}
