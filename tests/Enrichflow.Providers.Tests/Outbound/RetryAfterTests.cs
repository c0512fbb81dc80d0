using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Enrichflow.Providers.Outbound;
using Microsoft.Extensions.Time.Testing;

namespace Enrichflow.Providers.Tests.Outbound;

public sealed class RetryAfterTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Delay_seconds_are_the_wait()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), RetryAfter.Parse(Answer("7"), _time));
        Assert.Equal(TimeSpan.Zero, RetryAfter.Parse(Answer("0"), _time));
    }

    [Fact]
    public void An_http_date_is_the_wait_until_then_by_the_given_clock()
    {
        var at = _time.GetUtcNow().AddSeconds(90);

        Assert.Equal(TimeSpan.FromSeconds(90), RetryAfter.Parse(Answer(at.ToString("R", CultureInfo.InvariantCulture)), _time));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromSeconds(60), RetryAfter.Parse(Answer(at.ToString("R", CultureInfo.InvariantCulture)), _time));
    }

    [Fact]
    public void A_typed_header_is_read_as_set()
    {
        using var delta = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        delta.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(12));
        using var date = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        date.Headers.RetryAfter = new RetryConditionHeaderValue(_time.GetUtcNow() + TimeSpan.FromMilliseconds(1500));

        Assert.Equal(TimeSpan.FromSeconds(12), RetryAfter.Parse(delta, _time));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), RetryAfter.Parse(date, _time));
    }

    [Fact]
    public void A_date_already_past_is_no_wait()
    {
        var past = _time.GetUtcNow().AddMinutes(-5).ToString("R", CultureInfo.InvariantCulture);

        Assert.Equal(TimeSpan.Zero, RetryAfter.Parse(Answer(past), _time));
    }

    [Theory]
    [InlineData("1.5", 1500)]
    [InlineData("0.05", 50)]
    public void A_fractional_number_of_seconds_is_read_too(string value, int milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), RetryAfter.Parse(Answer(value), _time));
    }

    [Fact]
    public void A_huge_fractional_number_is_read_as_at_most_the_largest_delay_seconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(int.MaxValue), RetryAfter.Parse(Answer("1e300"), _time));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("soon")]
    [InlineData("-3")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    public void An_absent_or_unreadable_value_is_null(string? value)
    {
        Assert.Null(RetryAfter.Parse(Answer(value), _time));
    }

    private static HttpResponseMessage Answer(string? retryAfter)
    {
        var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        if (retryAfter is not null)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        return response;
    }
}
