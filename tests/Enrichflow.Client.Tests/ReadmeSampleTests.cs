using Enrichflow.Client.Tests.Infrastructure;
using Enrichflow.Samples;

namespace Enrichflow.Client.Tests;

/// <summary>
/// The README's client sample is samples/ClientSample/ClientSample.cs, compiled into this project: the README holds it
/// verbatim, and it runs against a real server. The README's CLI walkthrough runs too, with the built CLI.
/// </summary>
public sealed class ReadmeSampleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_readme_holds_the_client_sample_verbatim()
    {
        var sample = await File.ReadAllTextAsync(Repository.File("samples", "ClientSample", "ClientSample.cs"), Ct);
        var block = Between(await File.ReadAllTextAsync(Repository.File("README.md"), Ct), "<!-- client-sample:start -->", "<!-- client-sample:end -->", "```csharp\n");
        Assert.Equal(sample.ReplaceLineEndings("\n").Trim(), block.Trim());
    }

    [Fact]
    public async Task The_client_sample_runs_against_a_real_server()
    {
        await using var server = await LoopbackServer.StartAsync();
        var written = new StringWriter();
        await ClientSample.RunAsync(new Uri(server.BaseUrl), server.ApiKey, TextWriter.Synchronized(written), Ct);

        var text = written.ToString();
        Assert.Contains("Ada Lovelace,ada@example.com,valid", text, StringComparison.Ordinal);
        Assert.Contains("Grace Hopper,grace@example.org,valid", text, StringComparison.Ordinal);
        Assert.DoesNotContain("not-an-email", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_readme_cli_walkthrough_runs_against_a_real_server()
    {
        await using var server = await LoopbackServer.StartAsync();
        var script = Between(await File.ReadAllTextAsync(Repository.File("README.md"), Ct), "<!-- cli-flow:start -->", "<!-- cli-flow:end -->", "```bash\n");
        var directory = Path.Combine(server.DataDirectory, "walkthrough");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "cli-flow.sh");
        await File.WriteAllTextAsync(path, $"set -euo pipefail\nenrichflow() {{ dotnet '{CliRunner.Dll}' \"$@\"; }}\n" + script, Ct);

        var result = await CliRunner.ExecAsync(["bash", path], new Dictionary<string, string?> { ["ENRICHFLOW_URL"] = server.BaseUrl, ["ENRICHFLOW_API_KEY"] = server.ApiKey }, directory);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("completed", result.Stdout, StringComparison.Ordinal);
        var final = Directory.GetFiles(Path.Combine(directory, "results"), "*_keep.csv").Single();
        var lines = (await File.ReadAllLinesAsync(final, Ct)).Where(l => l.Length > 0).ToList();
        Assert.Equal(3, lines.Count);
        Assert.StartsWith("Ada Lovelace,ada@example.com,valid", lines[1], StringComparison.Ordinal);
    }

    private static string Between(string text, string start, string end, string fence)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal);
        var to = text.IndexOf(end, StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, $"the README lost its {start} markers");
        var block = text[from..to].ReplaceLineEndings("\n");
        var open = block.IndexOf(fence, StringComparison.Ordinal) + fence.Length;
        return block[open..block.LastIndexOf("```", StringComparison.Ordinal)];
    }
}
