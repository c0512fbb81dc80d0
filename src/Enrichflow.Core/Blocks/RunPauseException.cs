namespace Enrichflow.Core.Blocks;

/// <summary>
/// Thrown by a block when its run must pause (a provider is out of credits, the run's budget is reached). The
/// engine moves the run to <c>paused</c> with <see cref="Exception.Message"/> as its <c>status_reason</c>, stops its
/// units without failing them, and <c>resume</c> continues from the committed work.
/// </summary>
public sealed class RunPauseException(string reason, Exception? inner = null) : Exception(reason, inner)
{
    /// <summary>
    /// True when a credit budget (the run's or its organization's) was reached. Then only the call that would pass it
    /// is held back: calls that already reserved their credits within it go on, since each call is checked against
    /// the budget itself. False when calling again is no use (the provider is out of credits): no new call starts.
    /// </summary>
    public bool ByBudget { get; init; }
}
