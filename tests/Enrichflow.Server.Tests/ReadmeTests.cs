using System.Diagnostics;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

/// <summary>The README's curl flow, executed as written against a real server (docs that cannot rot).</summary>
public sealed class ReadmeTests
{
    [Fact]
    public async Task The_readme_curl_flow_runs_against_a_real_server()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "README.md"), TestContext.Current.CancellationToken);
        var start = readme.IndexOf("<!-- readme-flow:start -->", StringComparison.Ordinal);
        var end = readme.IndexOf("<!-- readme-flow:end -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "the README lost its readme-flow markers");
        var block = readme[start..end];
        var script = block[(block.IndexOf("```bash\n", StringComparison.Ordinal) + 8)..block.LastIndexOf("```", StringComparison.Ordinal)];

        await using var server = await TestServer.StartAsync();
        var path = Path.Combine(server.DataDirectory, "readme-flow.sh");
        await File.WriteAllTextAsync(path, "set -euo pipefail\n" + script, TestContext.Current.CancellationToken);
        var start1 = new ProcessStartInfo("bash", [path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["BASE_URL"] = server.BaseUrl, ["API_KEY"] = server.ApiKey, ["NO_PROXY"] = "127.0.0.1,localhost" },
        };
        using var process = Process.Start(start1)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        var stdout = await output;
        Assert.True(process.ExitCode == 0, $"the README flow failed ({process.ExitCode}):\n{stdout}\n{await errors}");

        // The list printed first is empty; the download is the CSV with the two good leads.
        Assert.StartsWith("[]", stdout, StringComparison.Ordinal);
        var csv = stdout[2..].Trim().Split('\n');
        Assert.Equal(3, csv.Length);
        Assert.StartsWith("name,email,email_status", csv[0], StringComparison.Ordinal);
        Assert.StartsWith("Ada Lovelace,ada@example.com,valid", csv[1], StringComparison.Ordinal);
        Assert.StartsWith("Grace Hopper,grace@example.org,valid", csv[2], StringComparison.Ordinal);
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Enrichflow.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", ".."));
    }

    private static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
}
