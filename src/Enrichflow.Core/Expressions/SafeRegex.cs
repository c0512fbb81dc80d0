using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Enrichflow.Core.Expressions;

/// <summary>
/// Regular expressions for <c>matches</c>: every match runs under a timeout, and a match that times out counts as
/// no match, so a catastrophic pattern never hangs a run.
/// </summary>
public static class SafeRegex
{
    private const int CacheLimit = 256;

    private static readonly ConcurrentDictionary<string, Regex?> Cache = new(StringComparer.Ordinal);

    /// <summary>How long one match may run.</summary>
    public static TimeSpan Timeout { get; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Compiles <paramref name="pattern"/> with the match timeout; throws <see cref="ArgumentException"/> when it is invalid.</summary>
    public static Regex Create(string pattern) =>
        new(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled, Timeout);

    /// <summary>Checks a pattern; returns the parser's message when it is invalid, else null.</summary>
    public static string? Validate(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant, Timeout);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    private static Regex? TryCreateInterpreted(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, Timeout);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="regex"/> matches; false when the match times out.</summary>
    public static bool IsMatch(Regex regex, string text)
    {
        ArgumentNullException.ThrowIfNull(regex);
        try
        {
            return regex.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>Matches against a pattern known only per row (cached); an invalid pattern matches nothing.</summary>
    public static bool IsMatch(string pattern, string text)
    {
        if (!Cache.TryGetValue(pattern, out var regex))
        {
            regex = TryCreateInterpreted(pattern);
            if (Cache.Count >= CacheLimit)
            {
                Cache.Clear();
            }

            Cache.TryAdd(pattern, regex);
        }

        return regex is not null && IsMatch(regex, text);
    }
}
