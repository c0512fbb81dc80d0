using System.CommandLine;
using System.Net.Sockets;
using Enrichflow.Client;
using Spectre.Console;

namespace Enrichflow.Cli.Remote;

/// <summary>What a command against a server has: the client, the output, and whether to print JSON.</summary>
internal sealed record RemoteContext(EnrichflowClient Client, IAnsiConsole Console, bool Json, Uri Server);

/// <summary>
/// Runs a command against a server and turns every way it can end into its exit code and one clear message on stderr
/// (never a stack trace): 0 ok, 1 the API refused, 2 bad input, 3 unreachable, 4 the run failed or was cancelled.
/// </summary>
internal static class RemoteCommand
{
    public const int Ok = 0;
    public const int Refused = 1;
    public const int BadInput = 2;
    public const int Unreachable = 3;
    public const int RunDidNotComplete = 4;

    /// <summary>Ctrl+C (SIGINT), as shells count it: 128 + 2.</summary>
    public const int Interrupted = 130;

    public static void SetAction(Command command, RemoteOptions options, Func<ParseResult, RemoteContext, CancellationToken, Task<int>> action) =>
        command.SetAction((parse, cancellationToken) => RunAsync(parse, options, action, cancellationToken));

    private static async Task<int> RunAsync(ParseResult parse, RemoteOptions options, Func<ParseResult, RemoteContext, CancellationToken, Task<int>> action, CancellationToken cancellationToken)
    {
        var serverText = parse.GetValue(options.Server) ?? Environment.GetEnvironmentVariable(RemoteOptions.ServerVariable) ?? RemoteOptions.DefaultServer;
        if (!Uri.TryCreate(serverText, UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
        {
            return await FailAsync(BadInput, $"--server '{serverText}' is not an http(s) URL.");
        }

        var key = parse.GetValue(options.Key) ?? Environment.GetEnvironmentVariable(RemoteOptions.KeyVariable);
        if (string.IsNullOrEmpty(key))
        {
            return await FailAsync(BadInput, $"no API key: pass --key KEY or set {RemoteOptions.KeyVariable}.");
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        var client = new EnrichflowClient(http, new EnrichflowClientOptions { BaseAddress = server, ApiKey = key, PollInterval = TimeSpan.FromMilliseconds(500) });
        var context = new RemoteContext(client, RemoteOutput.Console(), parse.GetValue(options.Json), server);
        try
        {
            return await action(parse, context, cancellationToken);
        }
        catch (CliInputException e)
        {
            return await FailAsync(BadInput, e.Message);
        }
        catch (HttpRequestException e) when (Inner<CliInputException>(e) is { } input)
        {
            // A row read while the request was sent (runs start --input streams the file) was bad input, not the network.
            return await FailAsync(BadInput, input.Message);
        }
        catch (EnrichflowApiException e)
        {
            var lines = new List<string> { $"the server refused ({(int)e.StatusCode}): {e.Detail}" };
            lines.AddRange(e.Detail.Errors.Select(error => "  - " + error));
            return await FailAsync(Refused, string.Join(Environment.NewLine, lines));
        }
        catch (EnrichflowRunFailedException e)
        {
            return await FailAsync(RunDidNotComplete, e.Message);
        }
        catch (HttpRequestException e) when (e.StatusCode is null)
        {
            return await FailAsync(Unreachable, $"cannot reach the server at {serverText}: {Reason(e)}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return await FailAsync(Interrupted, "interrupted.");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return await FailAsync(Unreachable, $"the server at {serverText} did not answer within {http.Timeout.TotalMinutes:0} minutes.");
        }
    }

    private static T? Inner<T>(Exception e)
        where T : Exception
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is T found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>The innermost cause in one line: "Connection refused (127.0.0.1:8080)".</summary>
    private static string Reason(HttpRequestException e)
    {
        Exception inner = e;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner is SocketException socket ? $"{socket.Message} ({socket.SocketErrorCode})" : inner.Message;
    }

    private static async Task<int> FailAsync(int code, string message)
    {
        await Console.Error.WriteLineAsync("enrichflow: " + message);
        return code;
    }
}
