using Enrichflow.Client.Models;

namespace Enrichflow.Client;

/// <summary>Schedules (docs/api.md §10).</summary>
public sealed partial class EnrichflowClient
{
    /// <summary><c>POST /schedules</c> (201).</summary>
    public Task<Schedule> CreateScheduleAsync(CreateScheduleRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Post, "schedules", Json(request, EnrichflowJsonContext.Default.CreateScheduleRequest)), EnrichflowJsonContext.Default.Schedule, cancellationToken);

    /// <summary><c>GET /schedules?workflow_id=</c>: oldest first.</summary>
    public Task<List<Schedule>> ListSchedulesAsync(string? workflowId = null, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Get, workflowId is null ? "schedules" : $"schedules?workflow_id={Escape(workflowId)}"), EnrichflowJsonContext.Default.ListSchedule, cancellationToken);

    /// <summary><c>GET /schedules/{id}</c>.</summary>
    public Task<Schedule> GetScheduleAsync(string scheduleId, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Get, $"schedules/{Escape(scheduleId)}"), EnrichflowJsonContext.Default.Schedule, cancellationToken);

    /// <summary><c>POST /schedules/{id}</c>: a partial update.</summary>
    public Task<Schedule> UpdateScheduleAsync(string scheduleId, UpdateScheduleRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Post, $"schedules/{Escape(scheduleId)}", Json(request, EnrichflowJsonContext.Default.UpdateScheduleRequest)), EnrichflowJsonContext.Default.Schedule, cancellationToken);

    /// <summary><c>DELETE /schedules/{id}</c> (204); the runs it started stay.</summary>
    public Task DeleteScheduleAsync(string scheduleId, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Delete, $"schedules/{Escape(scheduleId)}"), cancellationToken);
}
