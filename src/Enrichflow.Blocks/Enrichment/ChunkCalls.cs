using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Providers;

namespace Enrichflow.Blocks.Enrichment;

/// <summary>
/// How every block that calls providers asks for a chunk (the enrichment blocks and those of docs/api.md §5.3): all
/// rows at once through one <see cref="EnrichmentSession"/> of the <see cref="EnrichmentCaller"/>, each row reported to
/// live status as it is done, a pause (budget reached, a 402) raised once the calls under way have finished, and the
/// session's usage flushed before the chunk commits.
/// </summary>
internal static class ChunkCalls
{
    /// <summary>The result of <paramref name="ask"/> for each row of <paramref name="input"/>, in row order.</summary>
    /// <param name="remote">True when a provider asked is not local: the block then waits its turn for remote calls.</param>
    public static async Task<T[]> AskEachAsync<T>(
        RowChunk input,
        BlockRunContext context,
        bool remote,
        IReadOnlyList<string> stopFields,
        Func<EnrichmentCaller, EnrichmentSession, Row, CancellationToken, Task<T>> ask,
        CancellationToken cancellationToken)
    {
        var caller = BlockServices.Require<EnrichmentCaller>(context, "the enrichment service");
        if (remote && context.WaitsOnRemoteCalls is { } waits)
        {
            await waits(cancellationToken);
        }

        var session = caller.Begin(context, stopFields);
        var work = new Task<T>[input.Count];
        for (var i = 0; i < input.Count; i++)
        {
            work[i] = Reported(ask(caller, session, input.Rows[i], cancellationToken), context.ReportRowsDone);
        }

        try
        {
            await Task.WhenAll(work);
        }
        catch (Exception) when (work.Select(t => t.Exception?.InnerException).OfType<RunPauseException>().FirstOrDefault() is { } pause)
        {
            throw pause;
        }
        finally
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                await session.FlushAsync(CancellationToken.None);
            }
        }

        return [.. work.Select(t => t.Result)];
    }

    /// <summary>Tells live status about each row as it is done, long before its chunk commits.</summary>
    private static async Task<T> Reported<T>(Task<T> row, Action<int>? reportRowsDone)
    {
        var result = await row;
        reportRowsDone?.Invoke(1);
        return result;
    }
}
