using System.Net;
using System.Net.Sockets;
using Enrichflow.Providers.Outbound;
using Polly;
using Polly.Timeout;

namespace Enrichflow.Providers.Tests.Outbound;

public sealed class HttpFailureTests
{
    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(599)]
    public void Timeouts_throttling_and_server_errors_are_transient(int status)
    {
        var failure = HttpFailure.FromStatus(status);

        Assert.Equal(HttpFailureKind.Status, failure.Kind);
        Assert.Equal(status, failure.Status);
        Assert.True(failure.IsTransient);
        Assert.True(HttpFailure.IsTransientStatus(status));
    }

    [Theory]
    [InlineData(301)]
    [InlineData(304)]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(402)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(422)]
    public void Other_statuses_are_permanent(int status)
    {
        Assert.False(HttpFailure.FromStatus((HttpStatusCode)status).IsTransient);
    }

    [Fact]
    public void A_network_error_is_transient_with_its_message()
    {
        var failure = HttpFailure.FromException(new HttpRequestException("Connection refused (example.com:443)", new SocketException()), CancellationToken.None);

        Assert.Equal(new HttpFailure(HttpFailureKind.Network, 0, "Connection refused (example.com:443)"), failure);
        Assert.True(failure!.Value.IsTransient);
        Assert.Equal(HttpFailureKind.Network, HttpFailure.FromException(new IOException("reset"), CancellationToken.None)?.Kind);
    }

    [Fact]
    public void A_refusal_by_the_guard_is_permanent_with_the_guards_message_wherever_it_is_wrapped()
    {
        var refusal = new OutboundRefusedException("Outbound URL http://10.0.0.1/ is refused: 10.0.0.1 is a private address.");

        var failure = HttpFailure.FromException(new HttpRequestException("An error occurred while sending the request.", refusal), CancellationToken.None);

        Assert.Equal(new HttpFailure(HttpFailureKind.Refused, 0, refusal.Message), failure);
        Assert.False(failure!.Value.IsTransient);
        Assert.Equal(HttpFailureKind.Refused, HttpFailure.FromException(refusal, CancellationToken.None)?.Kind);
    }

    [Fact]
    public void A_cancellation_the_caller_did_not_ask_for_is_a_transient_timeout()
    {
        var attempt = HttpFailure.FromException(new TaskCanceledException(), CancellationToken.None);
        var polly = HttpFailure.FromException(new TimeoutRejectedException(), CancellationToken.None);

        Assert.Equal(HttpFailureKind.Timeout, attempt?.Kind);
        Assert.Equal(HttpFailureKind.Timeout, polly?.Kind);
        Assert.True(attempt!.Value.IsTransient);
        Assert.True(polly!.Value.IsTransient);
    }

    [Fact]
    public void The_callers_own_cancellation_and_other_exceptions_are_not_http_failures()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Null(HttpFailure.FromException(new OperationCanceledException(cancelled.Token), cancelled.Token));
        Assert.Null(HttpFailure.FromException(new InvalidOperationException("bug"), CancellationToken.None));
    }

    [Fact]
    public void A_pipeline_outcome_is_classified_by_its_answer_or_its_exception()
    {
        using var ok = new HttpResponseMessage(HttpStatusCode.NoContent);
        using var busy = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        using var missing = new HttpResponseMessage(HttpStatusCode.NotFound);

        Assert.Null(HttpFailure.FromOutcome(Outcome.FromResult(ok), CancellationToken.None));
        Assert.Equal(HttpFailure.FromStatus(503), HttpFailure.FromOutcome(Outcome.FromResult(busy), CancellationToken.None));
        Assert.False(HttpFailure.FromOutcome(Outcome.FromResult(missing), CancellationToken.None)!.Value.IsTransient);
        Assert.Equal(HttpFailureKind.Network, HttpFailure.FromOutcome(Outcome.FromException<HttpResponseMessage>(new HttpRequestException("down")), CancellationToken.None)?.Kind);
    }
}
