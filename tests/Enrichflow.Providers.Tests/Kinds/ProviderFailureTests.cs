using System.Diagnostics;
using Enrichflow.Providers;
using Enrichflow.Providers.Limits;
using Enrichflow.Fakes;
using Microsoft.Extensions.DependencyInjection;
using static Enrichflow.Providers.Tests.Kinds.ProviderKit;

namespace Enrichflow.Providers.Tests.Kinds;

/// <summary>How a remote provider's failures turn into answers or exceptions (Sixtyfour's endpoints; the other remote kinds share the path).</summary>
public sealed class ProviderFailureTests
{
    private static readonly ReturnField[] Fields = [Field("industry"), Field("employees", ReturnFieldType.Int)];

    private static Task<ProviderKit> SyncSixtyfourAsync(params (string Setting, string? Value)[] overrides) =>
        StartAsync("s64", "sixtyfour", [("UseAsyncJobs", "false"), .. overrides]);

    [Fact]
    public async Task A_429_with_Retry_After_is_retried_after_that_delay_and_then_succeeds()
    {
        await using var kit = await SyncSixtyfourAsync();
        kit.Fake.Script("acme.example", FakeReply.Status(429, retryAfterSeconds: 1));
        var clock = Stopwatch.StartNew();

        var answer = await kit.CallAsync("s64", Company("acme.example", Fields));

        Assert.Equal(EnrichmentOutcome.Found, answer.Outcome);
        Assert.Equal(2, kit.Fake.CallsFor("acme.example"));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"retried after {clock.Elapsed}, before Retry-After");
    }

    [Fact]
    public async Task Every_attempt_passes_the_providers_limiter_with_the_configured_limits()
    {
        await using var kit = await SyncSixtyfourAsync(("RequestsPerMinute", "6000"), ("MaxConcurrency", "5"));
        kit.Fake.Script("acme.example", FakeReply.Status(429, retryAfterSeconds: 1));

        var answer = await kit.CallAsync("s64", Company("acme.example", Fields));

        Assert.Equal(EnrichmentOutcome.Found, answer.Outcome);
        var limiter = kit.Services.GetRequiredService<ProviderLimiters>().Find("s64");
        Assert.NotNull(limiter);
        Assert.Equal(new ProviderLimits(6000, 5, TimeSpan.FromSeconds(5), 1m), limiter.Limits);
        Assert.Equal(2, kit.Fake.CallsFor("acme.example"));
    }

    [Fact]
    public async Task A_500_is_retried_until_the_attempts_are_used_up_and_then_fails_with_the_status_and_count()
    {
        await using var kit = await SyncSixtyfourAsync();
        kit.Fake.Script("acme.example", Enumerable.Repeat(FakeReply.Status(500, detail: "database unavailable"), 4).ToArray());

        var answer = await kit.CallAsync("s64", Company("acme.example", Fields));

        Assert.Equal(EnrichmentOutcome.Failed, answer.Outcome);
        Assert.Equal("HTTP 500 after 4 attempts: database unavailable", answer.Reason);
        Assert.False(answer.Billable);
        Assert.Equal(4, kit.Fake.CallsFor("acme.example"));
    }

    [Fact]
    public async Task A_500_then_a_good_answer_is_found()
    {
        await using var kit = await SyncSixtyfourAsync();
        kit.Fake.Script("acme.example", FakeReply.Status(503), FakeReply.Status(500));

        var answer = await kit.CallAsync("s64", Company("acme.example", Fields));

        Assert.Equal(EnrichmentOutcome.Found, answer.Outcome);
        Assert.Equal(3, kit.Fake.CallsFor("acme.example"));
    }

    [Fact]
    public async Task A_422_is_not_retried_and_fails_with_the_providers_detail()
    {
        await using var kit = await SyncSixtyfourAsync();
        kit.Fake.Script("acme.example", FakeReply.Status(422, detail: "struct must not be empty"));

        var answer = await kit.CallAsync("s64", Company("acme.example", Fields));

        Assert.Equal("HTTP 422: struct must not be empty", answer.Reason);
        Assert.Equal(1, kit.Fake.CallsFor("acme.example"));
    }

    [Fact]
    public async Task A_402_throws_payment_required_so_the_run_pauses()
    {
        await using var kit = await SyncSixtyfourAsync();
        kit.Fake.Script("acme.example", FakeReply.Status(402, detail: "Insufficient credits"));

        var e = await Assert.ThrowsAsync<ProviderPaymentRequiredException>(() => kit.CallAsync("s64", Company("acme.example", Fields)));

        Assert.Equal("s64", e.Provider);
        Assert.Equal("provider 's64' answered 402 Payment Required: Insufficient credits", e.Message);
        Assert.Equal(1, kit.Fake.CallsFor("acme.example"));
    }

    [Fact]
    public async Task A_wrong_key_throws_refused_with_the_providers_message()
    {
        await using var kit = await SyncSixtyfourAsync(("ApiKey", "wrong-key"));

        var e = await Assert.ThrowsAsync<ProviderRefusedException>(() => kit.CallAsync("s64", Company("acme.example", Fields)));

        Assert.Equal(401, e.Status);
        Assert.Equal("provider 's64' refused the request (401): Invalid API key", e.Message);
    }

    [Fact]
    public async Task A_403_throws_refused_with_the_providers_message()
    {
        await using var kit = await SyncSixtyfourAsync();
        kit.Fake.Script("acme.example", FakeReply.Status(403, detail: "Find people is not enabled for your tier"));

        var e = await Assert.ThrowsAsync<ProviderRefusedException>(() => kit.CallAsync("s64", Company("acme.example", Fields)));

        Assert.Equal(403, e.Status);
        Assert.EndsWith("(403): Find people is not enabled for your tier", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadAnswers => new()
    {
        { nameof(FakeReply.MalformedJson), "answered malformed JSON: " },
        { nameof(FakeReply.HtmlErrorPage), "answered an HTML page instead of JSON (HTTP 200)" },
        { nameof(FakeReply.EmptyBody), "answered an empty body" },
        { nameof(FakeReply.SchemaViolation), "field 'industry' should be str but was {\"unexpected\":true}" },
    };

    [Theory]
    [MemberData(nameof(BadAnswers))]
    public async Task A_bad_2xx_answer_fails_with_the_reason_and_is_billable(string reply, string reason)
    {
        await using var kit = await SyncSixtyfourAsync();
        kit.Fake.Script("acme.example", reply switch
        {
            nameof(FakeReply.MalformedJson) => FakeReply.MalformedJson,
            nameof(FakeReply.HtmlErrorPage) => FakeReply.HtmlErrorPage,
            nameof(FakeReply.EmptyBody) => FakeReply.EmptyBody,
            _ => FakeReply.SchemaViolation,
        });

        var answer = await kit.CallAsync("s64", Company("acme.example", Fields));

        Assert.Equal(EnrichmentOutcome.Failed, answer.Outcome);
        Assert.StartsWith(reason, answer.Reason, StringComparison.Ordinal);
        Assert.True(answer.Billable);
        Assert.Equal(1, kit.Fake.CallsFor("acme.example"));
    }

    [Fact]
    public async Task A_type_violation_in_an_int_field_names_the_field_and_the_value()
    {
        await using var kit = await SyncSixtyfourAsync();
        kit.Fake.Script("acme.example", FakeReply.SchemaViolation);

        var answer = await kit.CallAsync("s64", Company("acme.example", Field("employees", ReturnFieldType.Int), Field("industry")));

        Assert.Equal("field 'employees' should be int but was \"about a dozen\"", answer.Reason);
    }

    /// <summary>Issue 11 item 2: before the fix a paid POST that timed out was sent again (and paid again) up to MaxAttempts times.</summary>
    [Fact]
    public async Task A_paid_call_that_stalls_past_the_attempt_timeout_is_not_retried_because_it_may_have_been_charged()
    {
        await using var kit = await SyncSixtyfourAsync(("TimeoutSeconds", "0.2"), ("MaxAttempts", "4"));
        kit.Fake.Script("acme.example", FakeReply.Hang, FakeReply.Hang);

        var answer = await kit.CallAsync("s64", Company("acme.example", Fields));

        Assert.Equal(EnrichmentOutcome.Failed, answer.Outcome);
        Assert.Equal("timed out after 0.2 s; not retried because the call may have been charged", answer.Reason);
        Assert.True(answer.NotRetried);
        Assert.False(answer.Billable);
        Assert.Equal(1, kit.Fake.CallsFor("acme.example"));
        Assert.Equal(1, kit.Spy.Count);
    }

    [Fact]
    public async Task A_paid_async_job_submission_that_stalls_is_not_retried_either()
    {
        await using var kit = await StartAsync("s64", "sixtyfour", ("TimeoutSeconds", "0.2"), ("PollIntervalSeconds", "0.05"));
        kit.Fake.Script("acme.example", FakeReply.Hang);

        var answer = await kit.CallAsync("s64", Company("acme.example", Fields));

        Assert.Equal("timed out after 0.2 s; not retried because the call may have been charged", answer.Reason);
        Assert.True(answer.NotRetried);
        Assert.Equal(1, kit.Fake.CallsFor("acme.example"));
        Assert.Equal(0, kit.Fake.Polls);
    }

    [Fact]
    public async Task A_504_from_a_gateway_is_not_retried_for_a_paid_call_but_a_503_is()
    {
        await using var kit = await SyncSixtyfourAsync();
        kit.Fake.Script("acme.example", FakeReply.Status(504, detail: "upstream timed out"));
        kit.Fake.Script("beta.example", FakeReply.Status(503), FakeReply.Status(429, retryAfterSeconds: 0));

        var gateway = await kit.CallAsync("s64", Company("acme.example", Fields));
        var unavailable = await kit.CallAsync("s64", Company("beta.example", Fields));

        Assert.Equal("HTTP 504: upstream timed out; not retried because the call may have been charged", gateway.Reason);
        Assert.True(gateway.NotRetried);
        Assert.Equal(1, kit.Fake.CallsFor("acme.example"));
        Assert.Equal(EnrichmentOutcome.Found, unavailable.Outcome);
        Assert.False(unavailable.NotRetried);
        Assert.Equal(3, kit.Fake.CallsFor("beta.example"));
    }

    [Fact]
    public async Task A_call_that_times_out_with_one_attempt_allowed_says_only_that_it_timed_out()
    {
        await using var kit = await SyncSixtyfourAsync(("TimeoutSeconds", "0.2"), ("MaxAttempts", "1"));
        kit.Fake.Script("acme.example", FakeReply.Hang);

        var answer = await kit.CallAsync("s64", Company("acme.example", Fields));

        Assert.Equal("timed out after 0.2 s (1 attempt)", answer.Reason);
        Assert.False(answer.NotRetried);
    }

    [Fact]
    public async Task An_idempotent_GET_that_stalls_is_retried_and_then_found()
    {
        await using var kit = await StartAsync("vendor", "http", ("TimeoutSeconds", "0.2"));
        kit.Fake.Script("acme.example", FakeReply.Hang);

        var answer = await kit.CallAsync("vendor", Company("acme.example", Field("employees", ReturnFieldType.Int)));

        Assert.Equal(EnrichmentOutcome.Found, answer.Outcome);
        Assert.Equal(2, kit.Fake.CallsFor("acme.example"));
    }

    [Fact]
    public async Task A_templated_POST_that_stalls_on_every_attempt_is_tried_once()
    {
        await using var kit = await StartAsync("vendor", "http", ("TimeoutSeconds", "0.2"), ("Method", "POST"),
            ("Path", "v1/companies/search"), ("Body", """{"domain": "{{domain}}"}"""));
        kit.Fake.Script("acme.example", FakeReply.Hang, FakeReply.Hang);

        var answer = await kit.CallAsync("vendor", Company("acme.example", Field("employees", ReturnFieldType.Int)));

        Assert.Equal("timed out after 0.2 s; not retried because the call may have been charged", answer.Reason);
        Assert.Equal(1, kit.Fake.CallsFor("acme.example"));
    }

    [Theory]
    [InlineData("website", true)]
    [InlineData("sixtyfour", false)]
    [InlineData("openai_compatible", false)]
    [InlineData("http", false)]
    public void Only_kinds_whose_calls_cost_nothing_twice_declare_them_idempotent(string kind, bool idempotent) =>
        Assert.Equal(idempotent, Enrichflow.Providers.Kinds.ProviderKinds.Find(kind)!.CallsAreIdempotent);

    [Fact]
    public async Task A_provider_that_cannot_be_reached_fails_after_its_attempts()
    {
        await using var kit = await SyncSixtyfourAsync(("BaseUrl", "http://127.0.0.1:9/"), ("MaxAttempts", "2"));

        var answer = await kit.CallAsync("s64", Company("acme.example", Fields));

        Assert.Equal(EnrichmentOutcome.Failed, answer.Outcome);
        Assert.StartsWith("could not be reached (2 attempts): ", answer.Reason, StringComparison.Ordinal);
        Assert.Equal(2, kit.Spy.Count);
    }

    [Fact]
    public async Task Cancelling_the_call_throws_instead_of_failing_the_row()
    {
        await using var kit = await SyncSixtyfourAsync();
        kit.Fake.Script("acme.example", FakeReply.Hang);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => kit.Provider("s64").CallAsync(Company("acme.example", Fields), cancel.Token));
    }
}
