using Enrichflow.Hosting.Schedules;

namespace Enrichflow.Server.Tests.Schedules;

/// <summary>Due times of a cron expression in a time zone (docs/api.md §10), across daylight-saving changes.</summary>
public sealed class ScheduleTimesTests
{
    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public void Nine_in_Berlin_is_eight_utc_in_winter_and_seven_in_summer()
    {
        var times = ScheduleTimes.TryCreate("0 9 * * *", "Europe/Berlin", out var error)!;
        Assert.Null(error);
        Assert.Equal(Utc(1, 5, 8), times.NextAfter(Utc(1, 5, 0)));
        Assert.Equal(Utc(7, 1, 7), times.NextAfter(Utc(7, 1, 0)));

        // The night Berlin moves to summer time (29 March 2026): 9:00 is already CEST.
        Assert.Equal(Utc(3, 29, 7), times.NextAfter(Utc(3, 28, 9)));
    }

    [Fact]
    public void The_next_time_is_strictly_after_the_given_one()
    {
        var times = ScheduleTimes.TryCreate("* * * * *", "UTC", out _)!;
        Assert.Equal(Utc(1, 5, 10, 2), times.NextAfter(Utc(1, 5, 10, 1)));
    }

    [Fact]
    public void Six_fields_put_seconds_first()
    {
        var times = ScheduleTimes.TryCreate("30 0 12 * * *", "UTC", out _)!;
        Assert.Equal(Utc(1, 5, 12) + TimeSpan.FromSeconds(30), times.NextAfter(Utc(1, 5, 11)));
    }

    [Theory]
    [InlineData("* * *", "UTC", "cron_expression")]
    [InlineData("0 25 * * *", "UTC", "cron_expression")]
    [InlineData("* * * * *", "Europe/Atlantis", "timezone")]
    public void A_bad_expression_or_zone_names_its_field(string cron, string zone, string field)
    {
        Assert.Null(ScheduleTimes.TryCreate(cron, zone, out var error));
        Assert.StartsWith(field + " '", error, StringComparison.Ordinal);
    }
}
