namespace Enrichflow.Core.Diagnostics;

/// <summary>
/// Every event id of Enrichflow's source-generated log messages, grouped by area (a thousand per area), so an id
/// is never used twice and a log search by id finds one message. Ids are stable: a retired one is not reused.
/// </summary>
public static class LogEvents
{
    // 1xxx runs (Engine: RunCoordinator)
    public const int RunStarted = 1001;
    public const int RunCompleted = 1002;
    public const int RunFailed = 1003;
    public const int RunCancelled = 1004;
    public const int RunResumed = 1005;
    public const int PartialResultsFailed = 1006;
    public const int RunEndListenerFailed = 1007;
    public const int RunPaused = 1008;

    // 15xx run creation and repair (Engine: RunCoordinator's sweep)
    public const int SourceUnitRepaired = 1501;

    // 2xxx units (Engine: UnitExecutor)
    public const int ChunkCommitted = 2001;
    public const int UnitWorkDiscarded = 2002;
    public const int SourceDone = 2003;
    public const int StalePauseIgnored = 2004;

    // 3xxx dispatch (Engine: InProcessDispatcher)
    public const int DispatcherLoopError = 3001;
    public const int UnitLeaseLost = 3002;
    public const int UnitFailed = 3003;
    public const int UnitInputRejected = 3004;
    public const int LeaseRenewalFailed = 3005;
    public const int UnitRunnerError = 3006;
    public const int UnitRunStopped = 3007;

    // 36xx live status (Engine: ProgressFloor)
    public const int ProgressRaiseFailed = 3601;

    // 40xx retention (Hosting: retention sweep, unit blob clean-up)
    public const int RetentionPassDone = 4001;
    public const int RetentionPassFailed = 4002;
    public const int UnitBlobCleanupFailed = 4003;
    public const int RetentionRunExpired = 4004;

    // 5xxx enrichment (Providers: EnrichmentCaller; Hosting: provider cache clean-up)
    public const int ProviderRefused = 5001;
    public const int ProviderPaymentRequired = 5002;
    public const int ProviderCacheDeleted = 5101;
    public const int ProviderCacheCleanupFailed = 5102;

    // 52xx provider jobs and calls not retried (Providers: EnrichmentCaller; Hosting: provider cache clean-up)
    public const int ProviderJobResumed = 5201;
    public const int ProviderJobUnknown = 5202;
    public const int ProviderCallNotRetried = 5203;
    public const int ProviderJobsDeleted = 5204;

    // 53xx outbound HTTP attempts (Providers: OutboundHttpLogger; host, status and duration only)
    public const int OutboundAttempt = 5301;
    public const int OutboundAttemptFailed = 5302;

    // 6xxx outgoing webhooks (Hosting: WebhookSender)
    public const int WebhookDelivered = 6001;
    public const int WebhookRetrying = 6002;
    public const int WebhookFailed = 6003;
    public const int WebhookSwept = 6004;
    public const int WebhookLoopFailed = 6005;
    public const int WebhookPrepareFailed = 6006;
    public const int WebhookSweepFailed = 6007;

    // 7xxx export (Blocks: export)
    public const int ExportRetrying = 7001;
    public const int ExportBatchFailed = 7002;
    public const int ExportRefused = 7003;
    public const int ExportSkipped = 7004;

    // 72xx Slack (Blocks: send_slack_message)
    public const int SlackRetrying = 7201;
    public const int SlackMessageFailed = 7202;

    // 81xx interactive sessions (Hosting: idle sweep)
    public const int InteractiveIdleFinished = 8101;
    public const int InteractiveSweepFailed = 8102;

    // 82xx organization limits (Hosting: OrgAdmission)
    public const int OrgLimitRefusedStart = 8201;

    // 9xxx schedules (Hosting: Scheduler)
    public const int ScheduleRunStarted = 9001;
    public const int ScheduleRunFailed = 9002;
    public const int SchedulerLoopFailed = 9003;

    // 93xx S3-compatible blobs (Storage.S3)
    public const int S3UploadAbortFailed = 9301;
    public const int S3StaleWriteRemoved = 9302;
    // 94xx distributed dispatch (Dispatch.Hangfire: HangfireDispatcher)
    public const int HangfireDispatchLoopError = 9401;

    // 95xx provider limits shared by a cluster (Providers: SharedProviderLimits)
    public const int SharedLimitsStoreFailed = 9501;
    public const int SharedLimitsShareLost = 9502;

    // 96xx background duties leased to one node (Hosting: LeasedDuty)
    public const int DutyNode = 9601;
    public const int DutyTaken = 9602;
    public const int DutyWaiting = 9603;
    public const int DutyLost = 9604;
    public const int DutyLeaseFailed = 9605;
    public const int DutyReleased = 9606;
    public const int WebhookDeliveriesTakenOver = 9607;
}
