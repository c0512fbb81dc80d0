using Cronos;

namespace Enrichflow.Hosting.Schedules;

/// <summary>
/// A schedule's times (docs/api.md §10): a cron expression (five fields, or six with seconds first) read by Cronos,
/// in an IANA or Windows time zone, so "0 9 * * MON-FRI" in Europe/Berlin is 9:00 Berlin time in summer and winter.
/// </summary>
public sealed class ScheduleTimes
{
    private readonly CronExpression _expression;
    private readonly TimeZoneInfo _zone;

    private ScheduleTimes(CronExpression expression, TimeZoneInfo zone)
    {
        _expression = expression;
        _zone = zone;
    }

    /// <summary>The times of <paramref name="cronExpression"/> in <paramref name="timeZone"/>; null with a sentence naming the field that is wrong (<c>cron_expression</c> or <c>timezone</c>).</summary>
    public static ScheduleTimes? TryCreate(string cronExpression, string timeZone, out string? error)
    {
        ArgumentNullException.ThrowIfNull(cronExpression);
        ArgumentNullException.ThrowIfNull(timeZone);
        var fields = cronExpression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var format = fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        if (fields is not (5 or 6) || !CronExpression.TryParse(cronExpression.Trim(), format, out var expression))
        {
            error = $"cron_expression '{cronExpression}' is not a cron expression: give five fields (minute hour day-of-month month day-of-week, e.g. '0 9 * * MON-FRI') or six with seconds first.";
            return null;
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone.Trim(), out var zone))
        {
            error = $"timezone '{timeZone}' is not a known time zone: give an IANA name such as 'UTC', 'Europe/Berlin' or 'America/New_York'.";
            return null;
        }

        error = null;
        return new ScheduleTimes(expression, zone);
    }

    /// <summary>The first due time strictly after <paramref name="after"/>, in UTC; null when the expression has none (e.g. 30 February).</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after) =>
        _expression.GetNextOccurrence(after.ToUniversalTime(), _zone, inclusive: false)?.ToUniversalTime();
}
