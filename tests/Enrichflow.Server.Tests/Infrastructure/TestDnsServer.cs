using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Enrichflow.Server.Tests.Infrastructure;

/// <summary>
/// A real DNS server (ARSoft.Tools.Net) on a loopback UDP port for server-level tests: every name answers
/// <c>MX 10 mx.&lt;name&gt;</c> after <see cref="Delay"/>, except names starting with <c>nx</c> (NXDOMAIN) and
/// <c>nullmx</c> (the RFC 7505 null MX).
/// </summary>
public sealed class TestDnsServer : IDisposable
{
    private readonly DnsServer _server;
    private readonly CancellationTokenSource _stopping = new();
    private int _queries;

    private TestDnsServer(int port)
    {
        Port = port;
        _server = new DnsServer(new UdpServerTransport(new IPEndPoint(IPAddress.Loopback, port), 5000));
        _server.QueryReceived += AnswerAsync;
        _server.Start();
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    public TimeSpan Delay { get; set; }

    public int Queries => Volatile.Read(ref _queries);

    public static TestDnsServer Start()
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
                var port = ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
                probe.Dispose();
                return new TestDnsServer(port);
            }
            catch (SocketException) when (attempt < 5)
            {
            }
        }
    }

    private async Task AnswerAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is not DnsMessage query || query.Questions.Count != 1)
        {
            return;
        }

        Interlocked.Increment(ref _queries);
        if (Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(Delay, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        var question = query.Questions[0];
        var name = question.Name.ToString().TrimEnd('.').ToLowerInvariant();
        var response = query.CreateResponseInstance();
        if (name.StartsWith("nx", StringComparison.Ordinal))
        {
            response.ReturnCode = ReturnCode.NxDomain;
        }
        else
        {
            response.ReturnCode = ReturnCode.NoError;
            if (question.RecordType == RecordType.Mx)
            {
                response.AnswerRecords.Add(name.StartsWith("nullmx", StringComparison.Ordinal)
                    ? new MxRecord(question.Name, 3600, 0, DomainName.Root)
                    : new MxRecord(question.Name, 3600, 10, DomainName.Parse("mx." + name)));
            }
        }

        e.Response = response;
    }

    public void Dispose()
    {
        _stopping.Cancel();
        try
        {
            _server.Stop();
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OperationCanceledException))
        {
        }

        _stopping.Dispose();
    }
}
