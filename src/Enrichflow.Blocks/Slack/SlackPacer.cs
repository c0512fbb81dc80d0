using System.Collections.Concurrent;

namespace Enrichflow.Blocks.Slack;

/// <summary>
/// At most one message per <see cref="SlackOptions.MinIntervalMs"/> to each webhook, shared by every run of the
/// process: a sender holds the webhook's turn for the whole message (its retries included), and each POST waits
/// until the interval since the previous one (or a <c>Retry-After</c>) has passed.
/// </summary>
internal sealed class SlackPacer(SlackOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Gate> _gates = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Serialises run-end summaries in this process, so a run told twice that it ended claims its summary once.</summary>
    public SemaphoreSlim Summaries { get; } = new(1, 1);

    /// <summary>Waits for the webhook's turn; dispose the turn when the message is done.</summary>
    public async Task<Turn> TurnAsync(string webhook, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd(webhook, _ => new Gate());
        await gate.Lock.WaitAsync(cancellationToken);
        return new Turn(gate, options, time);
    }

    internal sealed class Gate
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);

        public DateTimeOffset NextPost { get; set; } = DateTimeOffset.MinValue;
    }

    /// <summary>One sender's hold on a webhook.</summary>
    public sealed class Turn : IDisposable
    {
        private readonly Gate _gate;
        private readonly SlackOptions _options;
        private readonly TimeProvider _time;
        private bool _disposed;

        internal Turn(Gate gate, SlackOptions options, TimeProvider time)
        {
            _gate = gate;
            _options = options;
            _time = time;
        }

        /// <summary>Waits until the webhook may take the next POST.</summary>
        public async Task BeforePostAsync(CancellationToken cancellationToken)
        {
            var wait = _gate.NextPost - _time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, cancellationToken);
            }
        }

        /// <summary>Records a POST just made; <paramref name="retryAfter"/> (from a 429) pushes the next one further.</summary>
        public void Posted(TimeSpan? retryAfter = null)
        {
            var next = _time.GetUtcNow() + TimeSpan.FromMilliseconds(_options.MinIntervalMs);
            if (retryAfter is { } after && _time.GetUtcNow() + after > next)
            {
                next = _time.GetUtcNow() + after;
            }

            _gate.NextPost = next;
        }

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                _gate.Lock.Release();
            }
        }
    }
}
