using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Enrichflow.Fakes;

/// <summary>
/// A loopback HTTP proxy in front of the real S3 server that answers chosen requests itself, as S3 would when it
/// fails (500, 503 SlowDown, 403 InvalidAccessKeyId / SignatureDoesNotMatch), or answers them late, and records
/// every request it saw.
/// </summary>
public sealed class S3FaultProxy : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly Uri _target;
    private readonly ConcurrentQueue<Fault> _faults = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public S3FaultProxy(Uri target)
    {
        _target = target;
        var port = FreePort();
        Address = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Address.ToString());
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public Uri Address { get; }

    /// <summary>Every request seen, as "METHOD /bucket/key?query", in arrival order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The next <paramref name="times"/> requests that match <paramref name="when"/> get <paramref name="status"/> with S3's error <paramref name="code"/>.</summary>
    public void Fail(int times, HttpStatusCode status, string code, Func<string, bool> when) =>
        _faults.Enqueue(new Fault(when, times, status, code, TimeSpan.Zero, null));

    /// <summary>The next <paramref name="times"/> requests that match <paramref name="when"/> are forwarded only after <paramref name="delay"/>.</summary>
    public void Delay(int times, TimeSpan delay, Func<string, bool> when) =>
        _faults.Enqueue(new Fault(when, times, null, null, delay, null));

    /// <summary>The next <paramref name="times"/> requests that match <paramref name="when"/> get the server's answer cut off (the connection dropped) after <paramref name="bytes"/> bytes of its body.</summary>
    public void BreakOff(int times, long bytes, Func<string, bool> when) =>
        _faults.Enqueue(new Fault(when, times, null, null, TimeSpan.Zero, bytes));

    public int Count(Func<string, bool> which) => Requests.Count(which);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is ObjectDisposedException or HttpListenerException or OperationCanceledException)
        {
        }

        _upstream.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is ObjectDisposedException or HttpListenerException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var line = $"{request.HttpMethod} {request.RawUrl}";
        Requests.Enqueue(line);
        try
        {
            var fault = Take(line);
            if (fault?.Status is { } status)
            {
                await AnswerAsync(context.Response, status, fault.Code!);
                return;
            }

            if (fault is not null)
            {
                await Task.Delay(fault.Delay, _stop.Token);
            }

            await ForwardAsync(context, fault?.BreakOffAfter);
        }
        catch (Exception e) when (e is HttpListenerException or IOException or OperationCanceledException or ObjectDisposedException or HttpRequestException)
        {
            // The client gave up on this request (a time-out) or the proxy is stopping.
            try
            {
                context.Response.Abort();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private Fault? Take(string line)
    {
        foreach (var fault in _faults)
        {
            if (fault.Remaining > 0 && fault.When(line) && Interlocked.Decrement(ref fault.Remaining) >= 0)
            {
                return fault;
            }
        }

        return null;
    }

    private static async Task AnswerAsync(HttpListenerResponse response, HttpStatusCode status, string code)
    {
        var body = Encoding.UTF8.GetBytes($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>Injected by the test's fault proxy.</Message><RequestId>fault</RequestId></Error>");
        response.StatusCode = (int)status;
        response.ContentType = "application/xml";
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body);
        response.Close();
    }

    private async Task ForwardAsync(HttpListenerContext context, long? breakOffAfter)
    {
        var request = context.Request;
        using var message = new HttpRequestMessage(new HttpMethod(request.HttpMethod), new Uri(_target, request.RawUrl));
        using var body = new MemoryStream();
        await request.InputStream.CopyToAsync(body, _stop.Token);
        if (body.Length > 0 || request.HttpMethod is "PUT" or "POST")
        {
            message.Content = new ByteArrayContent(body.ToArray());
        }

        foreach (var name in request.Headers.AllKeys.OfType<string>())
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Expect", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var values = request.Headers.GetValues(name) ?? [];
            if (!message.Headers.TryAddWithoutValidation(name, values))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, values);
            }
        }

        using var answer = await _upstream.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
        var response = context.Response;
        response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (name is "Transfer-Encoding" or "Content-Length" or "Connection" or "Keep-Alive")
            {
                continue;
            }

            foreach (var value in values)
            {
                response.AppendHeader(name, value);
            }
        }

        if (answer.Content.Headers.ContentLength is { } length)
        {
            response.ContentLength64 = length;
        }

        if (breakOffAfter is { } limit)
        {
            var part = new byte[limit];
            await using var content = await answer.Content.ReadAsStreamAsync(_stop.Token);
            await content.ReadExactlyAsync(part, _stop.Token);
            await response.OutputStream.WriteAsync(part, _stop.Token);
            await response.OutputStream.FlushAsync(_stop.Token);
            response.Abort();
            return;
        }

        if (request.HttpMethod != "HEAD")
        {
            await answer.Content.CopyToAsync(response.OutputStream, _stop.Token);
        }

        response.Close();
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private sealed class Fault(Func<string, bool> when, int times, HttpStatusCode? status, string? code, TimeSpan delay, long? breakOffAfter)
    {
        public int Remaining = times;

        public Func<string, bool> When { get; } = when;

        public HttpStatusCode? Status { get; } = status;

        public string? Code { get; } = code;

        public TimeSpan Delay { get; } = delay;

        public long? BreakOffAfter { get; } = breakOffAfter;
    }
}
