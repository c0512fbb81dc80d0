namespace Enrichflow.Fakes;

/// <summary>What a scripted reply does.</summary>
public enum FakeReplyKind
{
    /// <summary>The normal answer (found or not found by the hit rate).</summary>
    Normal,

    /// <summary>An HTTP status with a <c>{"detail": …}</c> body (and <c>Retry-After</c> when given).</summary>
    Status,

    /// <summary>Never answers, until the client goes away.</summary>
    Hang,

    /// <summary>200 with <c>application/json</c> that does not parse.</summary>
    MalformedJson,

    /// <summary>200 with an HTML error page.</summary>
    HtmlErrorPage,

    /// <summary>200 with no body at all.</summary>
    EmptyBody,

    /// <summary>The normal answer with the first requested field of the wrong type.</summary>
    SchemaViolation,

    /// <summary>An async job that ends with status "failed" and the detail as its error.</summary>
    JobFailed,
}

/// <summary>One scripted reply of a <see cref="FakeProviderServer"/>; scripts are consumed in order, then answers are normal.</summary>
public sealed record FakeReply(FakeReplyKind Kind, int StatusCode = 200, int? RetryAfterSeconds = null, string? Detail = null)
{
    public static FakeReply Normal { get; } = new(FakeReplyKind.Normal);

    public static FakeReply Hang { get; } = new(FakeReplyKind.Hang);

    public static FakeReply MalformedJson { get; } = new(FakeReplyKind.MalformedJson);

    public static FakeReply HtmlErrorPage { get; } = new(FakeReplyKind.HtmlErrorPage);

    public static FakeReply EmptyBody { get; } = new(FakeReplyKind.EmptyBody);

    public static FakeReply SchemaViolation { get; } = new(FakeReplyKind.SchemaViolation);

    /// <summary>An error status: 429 (with <paramref name="retryAfterSeconds"/>), 402, 500, 401/403 (with the provider's <paramref name="detail"/>), 422…</summary>
    public static FakeReply Status(int statusCode, int? retryAfterSeconds = null, string? detail = null) =>
        new(FakeReplyKind.Status, statusCode, retryAfterSeconds, detail);

    public static FakeReply JobFailed(string message) => new(FakeReplyKind.JobFailed, Detail: message);
}
