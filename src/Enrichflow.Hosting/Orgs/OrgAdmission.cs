using System.Collections.Concurrent;
using System.Globalization;
using Enrichflow.Core.Diagnostics;
using Enrichflow.Core.Storage;
using Enrichflow.Providers.Orgs;
using Microsoft.Extensions.Logging;

namespace Enrichflow.Hosting.Orgs;

/// <summary>Which kind of organization limit refused something (the HTTP API answers 402, 429 and 413 for them, docs/api.md §1).</summary>
public enum OrgRefusalKind
{
    /// <summary>The credits per day or per month are used up.</summary>
    CreditsExhausted,

    /// <summary>As many runs queued or running as the quota allows, or as many queued.</summary>
    TooManyRuns,

    /// <summary>The uploads and result files hold as many bytes as the quota allows.</summary>
    StorageFull,
}

/// <summary>An organization limit that refused a start or an upload: its kind, its name (as in <c>/usage</c>) and a sentence with the used and the limit.</summary>
public sealed record OrgRefusal(OrgRefusalKind Kind, string Limit, string Detail);

/// <summary>
/// The organization limits checked when a run would start and when a file is uploaded (docs/api.md §1 "Organization
/// limits"): no run starts once the credits of the UTC day or month are used up, nor beyond the quotas on runs queued
/// or running and on stored bytes. Starts of one organization are checked and recorded one at a time in this process,
/// so concurrent starts cannot pass a quota together.
/// </summary>
public sealed partial class OrgAdmission(IOrgLimitStore store, OrgLimitsSource limits, TimeProvider time, ILogger<OrgAdmission> logger)
{
    /// <summary>At start, "used up" means not even this much of a credit is left.</summary>
    private const double LeastCredit = 1e-6;

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    /// <summary>
    /// Takes the organization's start gate and checks its limits. The caller records the run (when
    /// <see cref="StartTicket.Refusal"/> is null) before it disposes the ticket, which opens the gate again.
    /// </summary>
    public async Task<StartTicket> EnterStartAsync(string orgId, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd(orgId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            return new StartTicket(gate, await CheckStartAsync(orgId, cancellationToken));
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    /// <summary>Why a run of the organization may not start now; null when it may.</summary>
    public async Task<OrgRefusal?> CheckStartAsync(string orgId, CancellationToken cancellationToken)
    {
        var refusal = await FindStartRefusalAsync(orgId, cancellationToken);
        if (refusal is not null)
        {
            LogRefusedStart(logger, orgId, refusal.Limit);
        }

        return refusal;
    }

    private async Task<OrgRefusal?> FindStartRefusalAsync(string orgId, CancellationToken cancellationToken)
    {
        var current = await limits.GetAsync(orgId, cancellationToken);
        if (current is { CreditsPerDay: null, CreditsPerMonth: null, MaxRunningRuns: null, MaxQueuedRuns: null, MaxStoredBytes: null })
        {
            return null;
        }

        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var used = await store.GetOrgFootprintAsync(orgId, today, cancellationToken);
        if (OrgCredits.Exceeded(current, today, used.CreditsToday, used.CreditsThisMonth, LeastCredit) is { } reached)
        {
            return new OrgRefusal(OrgRefusalKind.CreditsExhausted, reached.Limit,
                $"{reached.Message} No run starts until the limit is raised (enrichflow orgs limits set {orgId} {reached.Option} N) or the next UTC {reached.Period}.");
        }

        var active = used.QueuedRuns + used.RunningRuns;
        if (current.MaxRunningRuns is { } maxRunning && active >= maxRunning)
        {
            return new OrgRefusal(OrgRefusalKind.TooManyRuns, "max_running_runs", string.Create(CultureInfo.InvariantCulture,
                $"Organization '{orgId}' has {active} runs queued or running, as many as its quota max_running_runs of {maxRunning} allows; start the run when one has ended, or raise the quota (enrichflow orgs limits set {orgId} --max-running-runs N)."));
        }

        if (current.MaxQueuedRuns is { } maxQueued && used.QueuedRuns >= maxQueued)
        {
            return new OrgRefusal(OrgRefusalKind.TooManyRuns, "max_queued_runs", string.Create(CultureInfo.InvariantCulture,
                $"Organization '{orgId}' has {used.QueuedRuns} runs queued, as many as its quota max_queued_runs of {maxQueued} allows; start the run when one has started, or raise the quota (enrichflow orgs limits set {orgId} --max-queued-runs N)."));
        }

        return StoredBytesRefusal(orgId, current, used.StoredBytes, adding: 0);
    }

    /// <summary>Why the organization may not store <paramref name="adding"/> more bytes (0: whether it has room for any); null when it may.</summary>
    public async Task<OrgRefusal?> CheckStoredBytesAsync(string orgId, long adding, CancellationToken cancellationToken)
    {
        var current = await limits.GetAsync(orgId, cancellationToken);
        if (current.MaxStoredBytes is null)
        {
            return null;
        }

        var used = await store.GetOrgFootprintAsync(orgId, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), cancellationToken);
        return StoredBytesRefusal(orgId, current, used.StoredBytes, adding);
    }

    private static OrgRefusal? StoredBytesRefusal(string orgId, OrgLimits current, long stored, long adding)
    {
        if (current.MaxStoredBytes is not { } maxBytes || stored + Math.Max(adding, 1) <= maxBytes)
        {
            return null;
        }

        var used = adding > 0
            ? string.Create(CultureInfo.InvariantCulture, $"Organization '{orgId}' stores {stored} bytes of uploads and results; {adding} more would pass its quota max_stored_bytes of {maxBytes}")
            : string.Create(CultureInfo.InvariantCulture, $"Organization '{orgId}' stores {stored} bytes of uploads and results, as many as its quota max_stored_bytes of {maxBytes} allows");
        return new OrgRefusal(OrgRefusalKind.StorageFull, "max_stored_bytes",
            $"{used}; space is freed as results and uploads expire, or raise the quota (enrichflow orgs limits set {orgId} --max-stored-bytes SIZE).");
    }

    /// <summary>The organization's start gate, held until disposed; <see cref="Refusal"/> says why the start may not go ahead, null when it may.</summary>
    public sealed class StartTicket(SemaphoreSlim gate, OrgRefusal? refusal) : IDisposable
    {
        private int _disposed;

        public OrgRefusal? Refusal { get; } = refusal;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                gate.Release();
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.OrgLimitRefusedStart, Level = LogLevel.Information, Message = "Organization {OrgId}: a run start was refused at its limit {Limit}")]
    private static partial void LogRefusedStart(ILogger logger, string orgId, string limit);
}
