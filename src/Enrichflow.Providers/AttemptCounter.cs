using Enrichflow.Providers.Kinds;

namespace Enrichflow.Providers;

/// <summary>
/// Counts the attempts of one provider request: <see cref="Handler"/> sits below the retry strategy in the
/// provider's HttpClient pipeline and counts each attempt into the counter the request carries, so that a failure
/// can say "after 4 attempts" from what happened rather than from configuration.
/// </summary>
public sealed class AttemptCounter
{
    public static readonly HttpRequestOptionsKey<AttemptCounter> Key = new("enrichflow.attempts");

    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>The counter of <paramref name="request"/>, attached when it has none.</summary>
    public static AttemptCounter For(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Options.TryGetValue(Key, out var counter))
        {
            counter = new AttemptCounter();
            request.Options.Set(Key, counter);
        }

        return counter;
    }

    /// <summary>"1 attempt", "4 attempts".</summary>
    public string Describe() => Count == 1 ? "1 attempt" : $"{Count} attempts";

    /// <summary>Counts every attempt that passes through it.</summary>
    public sealed class Handler : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref For(request)._count);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
