namespace Enrichflow.Providers.Outbound;

/// <summary>
/// Thrown by the guarded handler's connect step when the address it is about to connect to is refused (docs/api.md §6).
/// <see cref="HttpClient"/> wraps it in an <see cref="HttpRequestException"/>; callers that retry network errors look
/// for it as the inner exception and do not retry: a refusal is permanent until the configuration changes.
/// </summary>
public sealed class OutboundRefusedException : Exception
{
    public OutboundRefusedException()
    {
    }

    public OutboundRefusedException(string message)
        : base(message)
    {
    }

    public OutboundRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>True when <paramref name="exception"/> or one of its inner exceptions is a refusal by the guard.</summary>
    public static bool IsRefusal(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is OutboundRefusedException)
            {
                return true;
            }
        }

        return false;
    }
}
