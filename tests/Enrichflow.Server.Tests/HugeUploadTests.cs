using System.Net;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

/// <summary>
/// Issue 11 item 5 as tried from outside: a 300 MB <c>.json</c> upload holding one string value is refused against a
/// real server process, whose peak RSS stays under 400 MB, and the blob is gone (docs/api.md §4).
/// </summary>
public sealed class HugeUploadTests
{
    private const long ValueBytes = 300L * 1000 * 1000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_300_MB_single_value_json_upload_is_413_while_the_server_stays_under_400_MB_and_keeps_nothing()
    {
        var work = Path.Combine(Path.GetTempPath(), "enrichflow-huge", Guid.NewGuid().ToString("N"));
        var data = Path.Combine(work, "data");
        Directory.CreateDirectory(data);
        try
        {
            var file = Path.Combine(work, "huge.json");
            await WriteSingleValueJsonAsync(file, ValueBytes);
            await using var server = await ServerProcess.StartAsync(data);
            using var http = ServerProcessClient.Create(server.BaseUrl, data);

            using var form = new MultipartFormDataContent();
            await using var upload = File.OpenRead(file);
            form.Add(new StreamContent(upload, 1024 * 1024), "file", "huge.json");
            using var response = await http.PostAsync("/storage/csv/upload", form, Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);

            Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{(int)response.StatusCode}: {text}");
            var detail = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!;
            Assert.Contains("huge.json", detail, StringComparison.Ordinal);
            Assert.Contains("element 0 is larger than 8 MiB (Limits:MaxRecordBytes)", detail, StringComparison.Ordinal);

            var peak = PeakRssBytes(server.Pid);
            Assert.True(peak < 400L * 1024 * 1024, $"the server's peak RSS was {peak / (1024 * 1024)} MiB");

            var blobs = Path.Combine(data, "blobs");
            Assert.Empty(new[] { "uploads", ".tmp" }
                .Select(d => Path.Combine(blobs, d))
                .Where(Directory.Exists)
                .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories)));
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz", Ct)).StatusCode);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Writes <c>[{"v": "xxx…"}]</c> with <paramref name="valueBytes"/> x's, one megabyte at a time.</summary>
    private static async Task WriteSingleValueJsonAsync(string path, long valueBytes)
    {
        await using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1024 * 1024, useAsync: true);
        await stream.WriteAsync("[{\"v\": \""u8.ToArray(), Ct);
        var chunk = new byte[1024 * 1024];
        Array.Fill(chunk, (byte)'x');
        for (var left = valueBytes; left > 0; left -= chunk.Length)
        {
            await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, left)), Ct);
        }

        await stream.WriteAsync("\"}]\n"u8.ToArray(), Ct);
    }

    /// <summary>The process's high-water mark of resident memory (<c>VmHWM</c> in <c>/proc/&lt;pid&gt;/status</c>).</summary>
    private static long PeakRssBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        var kib = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        return kib * 1024;
    }
}
