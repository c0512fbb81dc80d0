using System.Collections.Concurrent;
using Enrichflow.Core.Storage;

namespace Enrichflow.Blocks.Spill;

/// <summary>
/// Makes a spill blob once per process: a unit that needs a blob another unit of this process is making waits for it
/// instead of repeating the work. Another process may make the same blob at the same time; spill blobs are pure
/// functions of the input, so both write the same bytes.
/// </summary>
internal static class SpillOnce
{
    private static readonly ConcurrentDictionary<string, Task> Making = new(StringComparer.Ordinal);

    /// <summary>True while a unit of this process is making <paramref name="key"/>.</summary>
    public static bool IsMaking(string key) => Making.TryGetValue(key, out var running) && !running.IsCompleted;

    /// <summary>Runs <paramref name="make"/> (which writes <paramref name="key"/>) unless the blob exists.</summary>
    public static async Task EnsureAsync(IBlobStore blobs, string key, Func<CancellationToken, Task> make, CancellationToken cancellationToken)
    {
        while (await blobs.GetSizeAsync(key, cancellationToken) is null)
        {
            var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var running = Making.GetOrAdd(key, mine.Task);
            if (running != mine.Task)
            {
                await running.WaitAsync(cancellationToken);
                continue; // done (or given up by a cancelled unit): look again
            }

            try
            {
                if (await blobs.GetSizeAsync(key, cancellationToken) is null)
                {
                    await make(cancellationToken);
                }
            }
            finally
            {
                Making.TryRemove(new KeyValuePair<string, Task>(key, mine.Task));
                mine.SetResult();
            }
        }
    }
}
