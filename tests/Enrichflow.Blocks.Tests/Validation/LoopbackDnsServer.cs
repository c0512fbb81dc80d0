using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Enrichflow.Blocks.Tests.Validation;

/// <summary>How the loopback DNS server answers for one domain.</summary>
public enum Zone
{
    /// <summary>MX 10 mx1.&lt;domain&gt;.</summary>
    Mx,

    /// <summary>The RFC 7505 null MX: MX 0 "." only.</summary>
    NullMx,

    /// <summary>No MX, but an A record.</summary>
    AOnly,

    /// <summary>The name exists (NOERROR) but has no records at all.</summary>
    Empty,

    /// <summary>SERVFAIL.</summary>
    ServFail,

    /// <summary>Never answers.</summary>
    Silent,

    /// <summary>MX after a 300 ms delay (to overlap concurrent lookups).</summary>
    SlowMx,
}

/// <summary>
/// A real DNS server (ARSoft.Tools.Net) on 127.0.0.1 and a free UDP port, answering from a fixed zone table and
/// counting the queries it receives. Names not in the table are NXDOMAIN.
/// </summary>
public sealed class LoopbackDnsServer : IDisposable
{
    private readonly IReadOnlyDictionary<string, Zone> _zones;
    private readonly ConcurrentDictionary<string, int> _queries = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly DnsServer _server;

    private LoopbackDnsServer(IReadOnlyDictionary<string, Zone> zones, int port)
    {
        _zones = zones;
        Port = port;
        _server = new DnsServer(new UdpServerTransport(new IPEndPoint(IPAddress.Loopback, port), 5000));
        _server.QueryReceived += AnswerAsync;
        _server.Start();
    }

    public int Port { get; }

    /// <summary>The server as <c>EmailValidationOptions.NameServers</c> wants it.</summary>
    public string Address => $"127.0.0.1:{Port}";

    public static LoopbackDnsServer Start(IReadOnlyDictionary<string, Zone> zones)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new LoopbackDnsServer(zones, FreeUdpPort());
            }
            catch (SocketException) when (attempt < 5)
            {
                // The port was taken between probing and binding; try another.
            }
        }
    }

    /// <summary>Queries received for <paramref name="name"/> of <paramref name="type"/> (MX, A, AAAA).</summary>
    public int QueriesFor(string name, string type = "MX") => _queries.GetValueOrDefault($"{name}/{type}".ToUpperInvariant());

    /// <summary>Every query received.</summary>
    public int TotalQueries => _queries.Values.Sum();

    public void Dispose()
    {
        _stopping.Cancel();
        try
        {
            _server.Stop();
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OperationCanceledException))
        {
            // ARSoft's listener tasks are cancelled when the server stops right after it started.
        }

        _stopping.Dispose();
    }

    private static int FreeUdpPort()
    {
        using var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
    }

    private async Task AnswerAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is not DnsMessage query || query.Questions.Count != 1)
        {
            return;
        }

        var question = query.Questions[0];
        var name = question.Name.ToString().TrimEnd('.').ToLowerInvariant();
        _queries.AddOrUpdate($"{name}/{question.RecordType}".ToUpperInvariant(), 1, (_, n) => n + 1);

        var response = query.CreateResponseInstance();
        if (!_zones.TryGetValue(name, out var zone))
        {
            response.ReturnCode = ReturnCode.NxDomain;
            e.Response = response;
            return;
        }

        switch (zone)
        {
            case Zone.Silent:
                try
                {
                    await Task.Delay(Timeout.Infinite, _stopping.Token);
                }
                catch (OperationCanceledException)
                {
                }

                return;
            case Zone.ServFail:
                response.ReturnCode = ReturnCode.ServerFailure;
                e.Response = response;
                return;
            case Zone.SlowMx:
                await Task.Delay(300, _stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                break;
        }

        response.ReturnCode = ReturnCode.NoError;
        var owner = question.Name;
        switch (zone, question.RecordType)
        {
            case (Zone.Mx or Zone.SlowMx, RecordType.Mx):
                response.AnswerRecords.Add(new MxRecord(owner, 3600, 10, DomainName.Parse("mx1." + name)));
                break;
            case (Zone.NullMx, RecordType.Mx):
                response.AnswerRecords.Add(new MxRecord(owner, 3600, 0, DomainName.Root));
                break;
            case (Zone.AOnly, RecordType.A):
                response.AnswerRecords.Add(new ARecord(owner, 3600, IPAddress.Parse("192.0.2.10")));
                break;
        }

        e.Response = response;
    }
}
