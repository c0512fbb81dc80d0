using Enrichflow.Providers.Kinds;
using Enrichflow.Providers.Outbound;

namespace Enrichflow.Providers;

/// <summary>
/// Which failed provider attempts are retried (docs/api.md §8): what <see cref="HttpFailure"/> calls transient, except
/// that an attempt whose outcome is unknown (<see cref="HttpFailure.OutcomeUnknown"/>: a timeout, a connection broken
/// after the request was sent, a 504) is sent again only when that cannot pay twice: a GET or HEAD, or any call of a
/// kind that declares its calls idempotent (<see cref="ProviderKindDescriptor.CallsAreIdempotent"/>). 408, 429, 500 and
/// 503 stay retried for every call: the provider answered them itself, saying it did not do the work, so nothing was
/// charged; a connection that could not be made sent nothing.
/// </summary>
internal static class ProviderRetries
{
    /// <summary>The reason's ending when a failure was not retried for that.</summary>
    public const string NotRetriedReason = "not retried because the call may have been charged";

    /// <summary>True when <paramref name="request"/> may be sent again after an attempt whose outcome is unknown.</summary>
    public static bool MayRepeat(HttpRequestMessage? request, ProviderKindDescriptor kind) =>
        kind.CallsAreIdempotent || request?.Method == HttpMethod.Get || request?.Method == HttpMethod.Head;

    /// <summary>True when the attempt that failed with <paramref name="failure"/> is tried again.</summary>
    public static bool ShouldRetry(HttpFailure? failure, HttpRequestMessage? request, ProviderKindDescriptor kind) =>
        failure is { IsTransient: true } transient && (!transient.OutcomeUnknown || MayRepeat(request, kind));

    /// <summary>
    /// True when <paramref name="failure"/> ended the call only because of <see cref="MayRepeat"/>: another attempt was
    /// allowed (<paramref name="maxAttempts"/>, <paramref name="attempts"/> made) and would have been made otherwise.
    /// </summary>
    public static bool WithheldRetry(HttpFailure failure, HttpRequestMessage request, ProviderKindDescriptor kind, int maxAttempts, int attempts) =>
        failure.IsTransient && failure.OutcomeUnknown && !MayRepeat(request, kind) && attempts < maxAttempts;
}
